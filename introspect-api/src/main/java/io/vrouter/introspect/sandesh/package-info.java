/**
 * Sandesh's introspect XML as a Thrift protocol of ours: {@link io.vrouter.introspect.sandesh.SandeshXmlProtocol}
 * writes any struct generated from introspect.thrift the way Contrail's {@code Snh_*} pages show it,
 * and {@link io.vrouter.introspect.sandesh.SandeshXml} assembles pages. Write-only; no HTTP here
 * (the agent's introspect server serves the pages).
 */
package io.vrouter.introspect.sandesh;
