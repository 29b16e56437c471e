package io.vrouter.linklocal.configclient;

/**
 * The two users a test config API knows: one with role admin (may write), one with role reader.
 *
 * @param admin          the admin's user name
 * @param adminPassword  its password
 * @param reader         the reader's user name
 * @param readerPassword its password
 */
public record TestUsers(String admin, String adminPassword, String reader, String readerPassword) {
}
