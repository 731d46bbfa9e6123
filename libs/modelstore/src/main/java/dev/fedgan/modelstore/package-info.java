/**
 * The services' claim checks: the domain's payloads (weights, client deltas, the classifier, checkpoints, files)
 * put into the object store and verified on the way back, every object key in one layout, and the mapping of a
 * message's GAN settings onto the core's configuration. It must not depend on Quarkus or Kafka, so the command
 * line can use it too.
 */
package dev.fedgan.modelstore;
