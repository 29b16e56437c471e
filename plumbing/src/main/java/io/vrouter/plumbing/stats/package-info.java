/**
 * Event counters shared by the services that report stats. {@link
 * io.vrouter.plumbing.stats.Counters} is safe for any thread; the class that owns one reads it
 * into its own typed snapshot record, so the names a page or a stats line shows stay the owner's.
 */
package io.vrouter.plumbing.stats;
