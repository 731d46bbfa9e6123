/**
 * The local development stack in one JVM: an embedded single-node Kafka (KRaft) and an S3Proxy object store on
 * loopback ports, for the demo and the tests. A development tool: the services must not depend on it outside their
 * tests.
 */
package dev.fedgan.devstack;
