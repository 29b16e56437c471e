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
 * {@code VmAdmission} (cap, identity, rate), then nova through the loop's {@code UpstreamClient}.
 * Every limit is in {@link io.vrouter.linklocal.proxy.MetadataProxyConfig}. Log lines about
 * requests go through {@code ProxyLog}: rate-limited per reason, guest strings escaped.
 */
package io.vrouter.linklocal.proxy;
