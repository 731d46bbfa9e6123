package dev.fedgan.clientupdate;

import dev.fedgan.modelstore.FairnessSweeps;
import dev.fedgan.objectstore.ObjectStore;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The replica's one {@link FairnessSweeps}, shared by its point and round workers: it caches the last sweep's
 * examples (Fashion-MNIST's are about 190 MB), which one copy per worker would double. Both call it on the
 * {@link dev.fedgan.service.ComputeThread} only, one call at a time, as it requires.
 */
@Singleton
public class FairnessWork {

    @Produces
    @Singleton
    FairnessSweeps sweeps(ObjectStore objects) {
        return new FairnessSweeps(objects);
    }
}
