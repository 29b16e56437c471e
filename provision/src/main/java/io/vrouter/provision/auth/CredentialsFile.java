package io.vrouter.provision.auth;

import io.vrouter.plumbing.files.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The config API's users, one per line, never a password in clear:
 *
 * <pre>
 * # user:role:algorithm:iterations:salt(base64):hash(base64)
 * admin:admin:pbkdf2-sha256:600000:3q2+7w...==:Xb1...=
 * </pre>
 *
 * Blank lines and lines starting with {@code #} are ignored. Any other malformed line makes
 * the whole file invalid, with its line number in the error: a half-understood credentials
 * file must not silently lock out or let in anyone. Written atomically with mode 0600.
 */
public final class CredentialsFile {
    public static final String ALGORITHM_LABEL = "pbkdf2-sha256";
    /** User names: no ':' (the separator), no spaces or control characters. */
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    /** One user's entry. */
    public record User(String name, Role role, PasswordHasher.Hash hash) {
    }

    private final Map<String, User> users;

    private CredentialsFile(Map<String, User> users) {
        this.users = users;
    }

    public static CredentialsFile empty() {
        return new CredentialsFile(new LinkedHashMap<>());
    }

    /** Loads {@code path}; errors name the file and line. */
    public static CredentialsFile load(Path path) throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        return parse(lines, path.toString());
    }

    static CredentialsFile parse(List<String> lines, String source) {
        Map<String, User> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String at = source + " line " + (i + 1) + ": ";
            String[] f = line.split(":", -1);
            if (f.length != 6) {
                throw new IllegalArgumentException(at + "expected user:role:" + ALGORITHM_LABEL
                        + ":iterations:salt:hash, found " + f.length + " fields");
            }
            if (!USER.matcher(f[0]).matches()) {
                throw new IllegalArgumentException(at + "user name '" + f[0] + "' is not 1-64 of [A-Za-z0-9._@-]");
            }
            Role role;
            try {
                role = Role.parse(f[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + e.getMessage());
            }
            if (!ALGORITHM_LABEL.equals(f[2])) {
                throw new IllegalArgumentException(at + "algorithm '" + f[2] + "' is not " + ALGORITHM_LABEL);
            }
            int iterations;
            try {
                iterations = Integer.parseInt(f[3]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(at + "iterations '" + f[3] + "' is not a number");
            }
            if (iterations < PasswordHasher.MIN_ITERATIONS) {
                throw new IllegalArgumentException(at + "iterations " + iterations + " is below the minimum "
                        + PasswordHasher.MIN_ITERATIONS);
            }
            byte[] salt;
            byte[] hash;
            try {
                salt = Base64.getDecoder().decode(f[4]);
                hash = Base64.getDecoder().decode(f[5]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + "salt or hash is not base64: " + e.getMessage());
            }
            if (salt.length < 8 || hash.length != PasswordHasher.HASH_BYTES) {
                throw new IllegalArgumentException(at + "salt must be >= 8 bytes and hash "
                        + PasswordHasher.HASH_BYTES + " bytes");
            }
            if (users.put(f[0], new User(f[0], role, new PasswordHasher.Hash(iterations, salt, hash))) != null) {
                throw new IllegalArgumentException(at + "user '" + f[0] + "' is listed twice");
            }
        }
        return new CredentialsFile(users);
    }

    public User user(String name) {
        return users.get(name);
    }

    public Map<String, User> users() {
        return Collections.unmodifiableMap(users);
    }

    /** Adds or replaces a user (new salt every time). */
    public void put(String name, Role role, char[] password, int iterations) {
        if (!USER.matcher(name).matches()) {
            throw new IllegalArgumentException("user name '" + name + "' is not 1-64 of [A-Za-z0-9._@-]");
        }
        users.put(name, new User(name, role, PasswordHasher.hash(password, iterations)));
    }

    public boolean remove(String name) {
        return users.remove(name) != null;
    }

    List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("# config-api users: user:role:algorithm:iterations:salt:hash (written by config-api-passwd)");
        Base64.Encoder b64 = Base64.getEncoder();
        for (User u : users.values()) {
            out.add(u.name() + ":" + u.role().label() + ":" + ALGORITHM_LABEL + ":" + u.hash().iterations()
                    + ":" + b64.encodeToString(u.hash().salt()) + ":" + b64.encodeToString(u.hash().hash()));
        }
        return out;
    }

    /** Writes atomically and durably ({@link AtomicFile}), readable by the owner only. */
    public void save(Path path) throws IOException {
        AtomicFile.write(path, (String.join("\n", lines()) + "\n").getBytes(StandardCharsets.UTF_8),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
}
