/**
 * The services' message contracts: versioned JSON records (experiment requests, populations, round tasks, client
 * updates, rounds, images, dead letters), their validation, the claim-check object references and the topic names
 * (docs/messages.md). Plain Java and Jackson: it must not depend on the Kafka client, Quarkus or object storage,
 * so that any producer or consumer can use it (enforced by maven-enforcer).
 */
package dev.fedgan.protocol;
