package io.vrouter.linklocal.configclient;

import java.time.Instant;

/**
 * A snapshot of a {@link ConfigWatchClient}'s counters.
 *
 * @param polls       watch requests sent
 * @param updates     configs handed to the listener (the cached one included)
 * @param errors      failed polls (unreachable, auth, protocol) and listener failures
 * @param rejected    configs refused by the validator (last good kept)
 * @param revision    revision of the config the listener has now; 0 when none
 * @param lastContact last time the config API answered (any status); null when never
 */
public record WatchClientStats(long polls, long updates, long errors, long rejected, long revision,
                               Instant lastContact) {
}
