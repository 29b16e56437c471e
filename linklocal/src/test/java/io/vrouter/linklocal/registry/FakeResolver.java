package io.vrouter.linklocal.registry;

import io.vrouter.linklocal.config.IpLiteral;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Answers from a table the test controls; records every query. No real DNS. */
public final class FakeResolver implements Resolver {
    private final Map<String, Object> answers = new HashMap<>();
    public final List<String> queries = new ArrayList<>();

    /** {@code name} resolves to these IP literals. */
    public FakeResolver answer(String name, String... ips) {
        List<InetAddress> list = new ArrayList<>();
        for (String ip : ips) {
            list.add(IpLiteral.parse(ip));
        }
        answers.put(name, list);
        return this;
    }

    /** {@code name} fails with {@code error}. */
    public FakeResolver fail(String name, IOException error) {
        answers.put(name, error);
        return this;
    }

    public int queriesOf(String name) {
        return (int) queries.stream().filter(name::equals).count();
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<InetAddress> resolve(String name) throws IOException {
        queries.add(name);
        Object a = answers.get(name);
        if (a instanceof IOException e) {
            throw e;
        }
        if (a == null) {
            throw new UnknownHostException(name + ": Name or service not known");
        }
        return (List<InetAddress>) a;
    }
}
