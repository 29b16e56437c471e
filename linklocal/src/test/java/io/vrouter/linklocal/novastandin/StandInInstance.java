package io.vrouter.linklocal.novastandin;

import java.util.Objects;

/**
 * A VM as the nova stand-in knows it.
 *
 * @param uuid             instance UUID (lower case, with dashes): the X-Instance-ID nova expects
 * @param projectId        project id exactly as nova stores it (Keystone ids have no dashes):
 *                         compared as a string with X-Tenant-ID
 * @param hostname         short host name
 * @param availabilityZone placement/availability-zone
 * @param sshKey           public-keys/0/openssh-key (null: no key)
 * @param userData         /latest/user-data (null: 404, as nova without user data)
 */
public record StandInInstance(String uuid, String projectId, String hostname, String availabilityZone,
                              String sshKey, String userData) {
    public StandInInstance {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(availabilityZone, "availabilityZone");
    }

    /** A VM with a key and user data derived from its name. */
    public static StandInInstance of(String uuid, String projectId, String hostname) {
        return new StandInInstance(uuid, projectId, hostname, "nova",
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG" + hostname + " " + hostname + "@standin",
                "#cloud-config\nhostname: " + hostname + "\n");
    }
}
