/**
 * What the agent can tell, described once in {@code src/main/thrift/introspect.thrift}. The Java of
 * that IDL is generated at build time into {@code io.vrouter.introspect.api} (structs and the
 * {@code Introspect} service the CLIs call); {@code io.vrouter.introspect.sandesh} writes the same
 * structs as Sandesh XML. Depends on libthrift and slf4j only, never on the agent.
 */
package io.vrouter.introspect;
