package io.vrouter.plumbing.config;

import java.util.List;

/**
 * An INI file was refused: every problem found, each naming its line or section and key; the
 * message starts with the file's name.
 */
public final class IniException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public IniException(String source, List<String> problems) {
        super(source + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
