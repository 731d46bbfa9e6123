package dev.fedgan.service;

import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.objectstore.ObjectStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The object store the weights come from and the deltas go to ({@code fedgan.s3.*}). */
@ApplicationScoped
public class Storage {

    @ConfigProperty(name = "fedgan.s3.endpoint")
    String endpoint;

    @ConfigProperty(name = "fedgan.s3.access-key")
    String accessKey;

    @ConfigProperty(name = "fedgan.s3.secret-key")
    String secretKey;

    @ConfigProperty(name = "fedgan.s3.bucket", defaultValue = "fedgan")
    String bucket;

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(MeterRegistry registry) {
        ObjectStore store = ObjectStore.connect(endpoint, accessKey, secretKey, bucket);
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
