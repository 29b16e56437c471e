package io.vrouter.plumbing.config;

import java.util.List;

/** An INI file was refused: every problem found, each naming its line or section and key. */
public final class IniException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final List<String> problems;

    public IniException(String source, List<String> problems) {
        super(source + ": " + String.join("; ", problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** The file (or other name) the text came from. */
    public String source() {
        return source;
    }

    public List<String> problems() {
        return problems;
    }
}
