/**
 * The metadata proxy: guests' {@code http://169.254.169.254/} requests, NAT'd by the dataplane
 * to this proxy with the VM interface's link-local metadata IP as source (for metadata6,
 * {@code [fe80::a9fe:a9fe]}, its IPv6 form fe80::a9fe:XXYY, on a second listener opened with
 * {@code MetadataProxy.listenAlso}), are attributed to a VM by that source address alone ({@link io.vrouter.linklocal.proxy.InstanceDirectory}),
 * stripped of every identity header the guest sent, signed
 * ({@link io.vrouter.linklocal.proxy.InstanceSigner}) and forwarded to nova over a keep-alive
 * pool per fabric address ({@link io.vrouter.linklocal.proxy.MetadataUpstreams}).
 *
 * <p>Thread model: Netty event loops (epoll when available, else NIO). A guest connection and
 * the upstream connections serving it live on the same event loop, so per-connection and pool
 * state is single-threaded. State shared across loops is lock-free or per-VM: counters
 * ({@code LongAdder}, HdrHistogram {@code Recorder}), the per-VM connection counts and token
 * buckets ({@code VmAdmission}), and the fabric addresses' down marks.
 * {@link io.vrouter.linklocal.proxy.MetadataProxy} start/close/counters may be called from any thread.
 *
 * <p>A guest connection's pipeline: {@code RequestReadTimer} (slowloris 408),
 * {@code IdleStateHandler}, {@code GuestRequestDecoder} (framing rules), {@code GuestResponseEncoder},
 * {@code GuestAggregator} (413 in order), {@code GuestHandler}: decode errors, method and target, then
 * {@code VmAdmission} (cap, identity, rate), {@code TokenGate} (IMDSv2), then nova through the loop's
 * {@code UpstreamClient}.
 *
 * <p>IMDSv2-style session tokens: {@code PUT /latest/api/token} is answered by the proxy itself
 * (never forwarded) with a stateless token ({@link io.vrouter.linklocal.proxy.MetadataTokens}:
 * expiry + HMAC-SHA256 under a node key over the VM's instance UUID as this proxy identified
 * it), so no state is shared with nova and nothing is kept per token. A request's
 * {@code X-aws-ec2-metadata-token} is checked in both modes (401 when not this VM's or expired);
 * {@link io.vrouter.linklocal.proxy.MetadataTokenMode#REQUIRED} refuses requests without one
 * (per node, or per interface through {@link io.vrouter.linklocal.proxy.MetadataTokenPolicy}).
 * The token headers are stripped towards nova with the guest's identity headers
 * ({@code RequestRewriter}). Without a key file the key is random per start: tokens do not
 * survive a restart. The token reply leaves with the socket's normal IP TTL, not AWS's hop
 * limit 1: Java has no unicast {@code IP_TTL} socket option, and the reply reaches the guest
 * through the dataplane's NAT, which would have to set it.
 * {@link io.vrouter.linklocal.proxy.ProxyWarmUp} runs the whole path once through a throwaway
 * proxy on loopback before the agent's proxy listens (the first guest after a start is not the
 * one paying for class loading and the first JIT tier).
 * Every limit is in {@link io.vrouter.linklocal.proxy.MetadataProxyConfig}. Log lines about
 * requests go through {@code ProxyLog}: rate-limited per reason, guest strings escaped.
 */
package io.vrouter.linklocal.proxy;
