package dev.fedgan.service;

import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

/** The object store the weights come from and the deltas go to ({@code fedgan.s3.*} of {@link FedganConfig}). */
@ApplicationScoped
public class Storage {

    @Inject
    FedganConfig config;

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(MeterRegistry registry) {
        FedganConfig.S3 s3 = config.s3();
        ObjectStore store = ObjectStore.connect(s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.bucket());
        FunctionCounter.builder("fedgan.object.bytes", store, ObjectStore::bytesRead).tag("direction", "read")
                .baseUnit("bytes").description("Object payload bytes moved to and from the object store")
                .register(registry);
        FunctionCounter.builder("fedgan.object.bytes", store, ObjectStore::bytesWritten).tag("direction", "written")
                .baseUnit("bytes").description("Object payload bytes moved to and from the object store")
                .register(registry);
        return store;
    }

    @Produces
    @ApplicationScoped
    ModelStore modelStore(ObjectStore store) {
        return new ModelStore(store);
    }

    void close(@Disposes ObjectStore store) {
        store.close();
    }
}
