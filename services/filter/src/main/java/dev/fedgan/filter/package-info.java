/**
 * The filter service: steps 1-3 of the debugging workflow per experiment request (the primary classifier, the bug,
 * the measurement and the populations), as fedgan debug runs them but with the object store for files, then one
 * populations message per GAN.
 */
package dev.fedgan.filter;
