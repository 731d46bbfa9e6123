/**
 * The debugging run's report, report.json and report.html: the verdict, the two GANs' pictures, the evidence and
 * the privacy statement. Like all of the core, it must not depend on Quarkus, Kafka or object storage (enforced
 * for the module by maven-enforcer).
 */
package dev.fedgan.core.report;
