package dev.fedgan.service;

import dev.fedgan.modelstore.ModelStore;
import dev.fedgan.modelstore.ObjectAccess;
import dev.fedgan.objectstore.ObjectStore;
import dev.fedgan.objectstore.RetryPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The object store the weights come from and the deltas go to ({@code fedgan.s3.*} of {@link FedganConfig}),
 * restricted to the service's {@link ObjectAccess} ({@code fedgan.s3.identity}). The
 * bytes it moves are not exported as a metric: in the aggregator and client-update they grow with the number of
 * clients sampled, and metrics are released (docs/privacy.md).
 */
@ApplicationScoped
public class Storage {

    @Inject
    FedganConfig config;

    @Produces
    @ApplicationScoped
    ObjectStore objectStore() {
        FedganConfig.S3 s3 = config.s3();
        ObjectStore store = ObjectStore.connect(s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.bucket(),
                RetryPolicy.within(s3.outagePatience()), s3.trustStore().map(f -> ObjectStore.trustStore(
                        java.nio.file.Path.of(f), s3.trustStorePassword().orElse(null))).orElse(null), s3.ensureBucket());
        s3.identity().ifPresent(name -> {
            store.restrictTo(name, ObjectAccess.of(name));
            Logger.getLogger(Storage.class).infof("object store %s restricted to %s's access"
                    + " (ObjectAccess)", s3.endpoint(), name);
        });
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
