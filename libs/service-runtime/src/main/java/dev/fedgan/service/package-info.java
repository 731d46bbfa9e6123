/**
 * What the four Quarkus services share at run time: the one compute thread for ND4J work, ND4J native loading as a
 * readiness check, the object store bean, sending keyed records, and dead letters. The ML itself stays in the
 * core; nothing outside the services should depend on this package.
 */
package dev.fedgan.service;
