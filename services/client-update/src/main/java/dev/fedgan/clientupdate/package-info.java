/**
 * The client-update service: runs one sampled client's part of a round (the core's critic steps on that client's
 * data, against the broadcast weights from the object store) and reports the critic delta.
 */
package dev.fedgan.clientupdate;
