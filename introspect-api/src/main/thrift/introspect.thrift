/*
 * What the compute-node agent can tell: the one description of the agent's introspection.
 *
 * Every encoding comes from these structs: the Thrift service below (binary/compact, framed, on
 * localhost, for the vif/flow/dropstats/link-local CLIs), the Sandesh-compatible XML pages on
 * http_server_port (written by io.vrouter.introspect.sandesh.SandeshXmlProtocol), and the
 * metrics endpoint.
 *
 * Names follow Contrail's agent Sandesh IDL (tf-controller src/vnsw/agent/**.sandesh, tf-sandesh,
 * contrail-controller src/base/sandesh/nodeinfo.sandesh) wherever a Contrail name exists, field
 * ids included, so that scripts scraping the Snh_* pages by element name keep working:
 *   ItfSandeshData / ItfResp                (oper/agent.sandesh, Snh_ItfReq)
 *   KFlowInfo / KFlowResp                   (kstate/kstate.sandesh, Snh_KFlowReq)
 *   LinkLocalFlowInfo / LinkLocalFlowInfoResp (pkt/pkt.sandesh, Snh_FetchLinkLocalFlowInfo)
 *   LinkLocalServiceData / LinkLocalServiceResponse (oper/agent.sandesh, Snh_LinkLocalServiceInfo)
 *   MetadataResponse                        (services/services.sandesh, Snh_MetadataInfo)
 *   NodeStatus / ProcessStatus / NodeStatusUVE (nodeinfo.sandesh, process_info.sandesh)
 * Fields Contrail does not have are numbered from 100 up, so a Contrail field id never means
 * something else here.
 *
 * Types: Thrift has no unsigned integers; Contrail's u16/u32 become i32 and its u64 counters i64.
 * Where a field is Contrail's, the XML keeps Contrail's type name (SandeshXml.CONTRAIL_FIELD_ATTRIBUTES
 * overrides the type attribute, e.g. u16); counters Contrail declares i32 (which overflow) and its
 * signed byte proto are widened here, so only their type attribute differs from Contrail's page.
 * Times are milliseconds since the Unix epoch (…_ms) or durations in milliseconds (…_ms) unless
 * the name says otherwise. An IPv4 address is dotted-quad text; "" means "none".
 *
 * Wire compatibility: only ever add fields with new ids; never renumber or reuse one.
 */

namespace java io.vrouter.introspect.api

/** The module name Contrail's tools expect for this process (NodeStatus, ProcessStatus). */
const string MODULE_ID = "contrail-vrouter-agent"

/** Value of ProcessStatus.state that makes contrail-status call the agent active. */
const string PROCESS_STATE_FUNCTIONAL = "Functional"
const string PROCESS_STATE_NON_FUNCTIONAL = "Non-Functional"

// ---------------------------------------------------------------------------------------------
// Interfaces: Snh_ItfReq, vif --list, vif --get N
// ---------------------------------------------------------------------------------------------

/** One virtual interface (a guest port, or vhost0). */
struct ItfSandeshData {
    /** Interface index (vif0/N); the metadata IP is 169.254.0.0 + index. */
    1: i32 index
    /** OS name of the interface (the tap device, "vhost0"). */
    2: string name
    /** Port (VMI) UUID given by nova's port IPC. */
    3: string uuid
    /** "UP" when the agent can forward on it, "DOWN" otherwise. */
    5: string active
    /** "vport" (guest port) or "vhost". */
    8: string type
    /** Virtual network UUID. */
    10: string vn_name
    /** VM UUID (X-Instance-ID towards nova). */
    11: string vm_uuid
    /** VM display name. */
    12: string vm_name
    /** Guest IPv4 address. */
    13: string ip_addr
    /** Guest MAC address, lower-case, colon separated. */
    14: string mac_addr
    /** Link-local metadata IP 169.254.X.Y of this interface ("" when it has none). */
    17: string mdata_ip_addr
    /** Project UUID of the VM (X-Tenant-ID towards nova, without dashes there). */
    30: string vm_project_uuid
    /** Guest IPv6 address, when it has one. */
    34: optional string ip6_addr
    /** VLAN ids from the port IPC; -1 when not set. */
    37: i16 tx_vlan_id
    38: i16 rx_vlan_id
    /** "Active" when the metadata IP answers link-local services. */
    54: optional string metadata_ip_active
    /** Counters as vif --list prints them: packets/bytes received from and sent to the guest. */
    100: i64 rx_packets
    101: i64 rx_bytes
    102: i64 tx_packets
    103: i64 tx_bytes
    /** Packets from this interface that were dropped (any reason). */
    104: i64 drops
    /** Receive/transmit errors (I/O failures on the interface). */
    105: i64 rx_errors
    106: i64 tx_errors
    /** MTU of the OS interface; 0 when unknown. */
    107: i32 mtu
}

/** The answer to Snh_ItfReq and to the CLIs' interface calls. */
struct ItfResp {
    1: list<ItfSandeshData> itf_list
}

// ---------------------------------------------------------------------------------------------
// Flows: Snh_KFlowReq, Snh_FetchLinkLocalFlowInfo, flow -l
// ---------------------------------------------------------------------------------------------

/** One flow-table entry (the vrouter kernel's flow as Contrail's KFlowInfo shows it). */
struct KFlowInfo {
    /** Flow index: the agent's handle together with gen_id. */
    1: i32 index
    /** Index of the reverse flow; -1 when there is none. */
    2: i32 rflow
    /** Key: source IP and port, destination IP and port, IP protocol, nexthop (interface). */
    3: string sip
    4: i32 sport
    5: string dip
    6: i32 dport
    7: i32 proto
    /** "FORWARD", "NAT", "DROP" or "HOLD". */
    9: string action
    /** NAT flags and state, '|'-separated: SNAT, SPAT, DNAT, DPAT, LINK_LOCAL, … ("" for none). */
    10: string flags
    12: i64 bytes
    13: i64 pkts
    /** Nexthop of the key: the interface index the flow came in on. */
    18: i32 nhid
    /** Why packets of this flow are dropped (a DropReason name), when action is DROP. */
    21: optional string drop_reason
    /** Generation of the entry: guards against a reused index. */
    24: i32 gen_id
    /** Time since the flow last saw a packet, in milliseconds. */
    100: i64 age_ms
}

/** A filter on flows, as flow -l --match takes it: an address, optionally with a port. */
struct FlowMatch {
    /** IPv4 address that must be the source or destination of the key; "" matches any. */
    1: string ip
    /** Port that must be the source or destination port (with ip on the same side); 0 = any. */
    2: i32 port
    /** IP protocol (6 TCP, 17 UDP, 1 ICMP); 0 = any. */
    3: i32 proto
}

/** The answer to Snh_KFlowReq and flow -l. */
struct KFlowResp {
    1: list<KFlowInfo> flow_list
    /** Where to continue a listing that stopped early ("" when complete), as Contrail's
     *  NextKFlowReq handle: the next flow index to read. */
    2: string flow_handle
    /** Capacity of the flow table in entries (flow -l's "size"); 0 without a dataplane. */
    100: i32 table_size
    /** Entries in use now, all of them, not only this page's (flow -l's "entries"). */
    101: i32 flow_count
}

/** One link-local flow as Snh_FetchLinkLocalFlowInfo lists it (its socket and key). */
struct LinkLocalFlowInfo {
    /** Socket reserved for the flow's SNAT port; -1 when the flow goes to the metadata proxy. */
    1: i32 fd
    2: i32 flow_index
    3: string source_addr
    4: string dest_addr
    5: i32 protocol
    6: i32 source_port
    7: i32 dest_port
    /** When the flow last saw a packet, ISO-8601 UTC (Contrail: when it was installed; the flow
     *  table keeps a last-seen time only). */
    8: string timestamp
}

struct LinkLocalFlowInfoResp {
    1: list<LinkLocalFlowInfo> linklocal_flow_list
}

// ---------------------------------------------------------------------------------------------
// Drop counters: dropstats
// ---------------------------------------------------------------------------------------------

/** One drop reason and how many packets it dropped. */
struct DropStat {
    /** Stable code of the reason (io.vrouter.drop.DropReason). */
    1: i32 code
    /** Its name, e.g. "FLOW_TABLE_FULL". */
    2: string reason
    /** What it means, one line. */
    3: string description
    4: i64 count
}

/** Drop counters per reason, every known reason present (zero included), ordered by code. */
struct DropStatsResp {
    1: list<DropStat> drop_stats
    /** Sum of all counters. */
    2: i64 total
}

// ---------------------------------------------------------------------------------------------
// Link-local services: Snh_LinkLocalServiceInfo and the CLI listing
// ---------------------------------------------------------------------------------------------

/** One fabric address of a service with its health as the agent sees it. */
struct FabricAddress {
    1: string ip
    /** "UP", "DOWN" (a connect failed recently: tried last) or "UNKNOWN" (the agent does not
     *  watch this service's addresses: relayed services). */
    2: string state
    /** Consecutive failures of this address; 0 where not watched. */
    3: i32 failures
}

/** One link-local service entry (global-vrouter-config linklocal_service_entry) and its state. */
struct LinkLocalServiceData {
    1: string linklocal_service_name
    2: string linklocal_service_ip
    3: i32 linklocal_service_port
    /** ip_fabric_DNS_service_name; "" when the entry gives fabric IPs. */
    4: string ipfabric_dns_name
    /** The fabric IPs: configured, or what the DNS name last resolved to. */
    5: list<string> ipfabric_ip
    6: i32 ipfabric_port
    /** True when the service is served by the local metadata proxy (its name contains "metadata"). */
    100: bool metadata
    /** When the DNS name last resolved (ms since epoch); 0 for IP entries, never resolved, or
     *  not known to this agent. */
    101: i64 dns_resolved_at_ms
    /** Why the service cannot be forwarded yet ("" when it can), e.g. a DNS name with no answer. */
    102: string dns_error
    /** Per fabric address state, in ipfabric_ip's order. */
    103: list<FabricAddress> fabric_addresses
    /** Flows of this service now in the table. */
    104: i32 active_flows
}

/** The answer to Snh_LinkLocalServiceInfo. */
struct LinkLocalServiceResponse {
    1: list<LinkLocalServiceData> service_list
}

// ---------------------------------------------------------------------------------------------
// Metadata proxy: Snh_MetadataInfo and the per-VM request trace
// ---------------------------------------------------------------------------------------------

/** Requests of one VM through the metadata proxy. */
struct MetadataVmStats {
    1: string vm_uuid
    2: string vm_name
    /** The VM interface's metadata IP the requests came from. */
    3: string mdata_ip_addr
    4: i64 requests
    /** Responses by HTTP status code. */
    5: map<i32, i64> responses_by_status
    /** Requests the proxy refused itself, by reason (rate limit, forbidden header, …). */
    6: map<string, i64> rejects_by_reason
    /** Time of the VM's last request (ms since epoch); 0 when none. */
    7: i64 last_request_ms
}

/** Latency of proxied requests, guest request received to response sent, microseconds. */
struct LatencyPercentiles {
    1: i64 count
    2: i64 p50_us
    3: i64 p90_us
    4: i64 p99_us
    5: i64 p999_us
    6: i64 max_us
}

/** The answer to Snh_MetadataInfo: Contrail's counters, then ours. */
struct MetadataResponse {
    1: i32 metadata_server_port
    2: i64 metadata_requests
    3: i64 metadata_responses
    4: i64 metadata_proxy_sessions
    5: i64 metadata_internal_errors
    /** Responses by HTTP status code (upstream's and the proxy's own). */
    100: map<i32, i64> responses_by_status
    /** Requests the proxy refused itself, by reason. */
    101: map<string, i64> rejects_by_reason
    102: LatencyPercentiles latency
    103: list<MetadataVmStats> vm_stats
    /** Upstream (nova) base URL(s) the proxy forwards to. */
    104: list<string> upstreams
    /** IMDSv2 tokens issued (PUT /latest/api/token answered by the proxy). */
    105: i64 tokens_issued
}

/** One metadata request of a VM, as the proxy's per-VM trace buffer keeps it. */
struct MetadataTraceEntry {
    /** When the request arrived (ms since epoch). */
    1: i64 time_ms
    2: string method
    /** Request path as the guest sent it (guest-controlled: escape it wherever it is shown). */
    3: string path
    /** Status sent to the guest; 0 when the connection closed before a response. */
    4: i32 status
    /** Upstream address that answered ("" when not forwarded). */
    5: string upstream
    6: i64 latency_us
    /** Why the proxy refused or failed it ("" when forwarded and answered). */
    7: string reject_reason
}

/** The last requests of one VM, oldest first. */
struct MetadataTraceResp {
    1: string vm_uuid
    2: string mdata_ip_addr
    3: list<MetadataTraceEntry> trace
    /** Capacity of the trace buffer (entries kept per VM). */
    4: i32 capacity
    /** Requests of this VM no longer in the buffer. */
    5: i64 overwritten
}

// ---------------------------------------------------------------------------------------------
// Node status: Snh_SandeshUVECacheReq?x=NodeStatus (what contrail-status reads)
// ---------------------------------------------------------------------------------------------

/** One connection of the process (process_info.sandesh ConnectionInfo). */
struct ConnectionInfo {
    /** "ApiServer", … */
    1: string type
    2: string name
    3: list<string> server_addrs
    /** "Up", "Down" or "Initializing". */
    4: string status
    5: optional string description
}

/** The process's own status (process_info.sandesh ProcessStatus). */
struct ProcessStatus {
    /** MODULE_ID. */
    1: string module_id
    2: string instance_id
    /** PROCESS_STATE_FUNCTIONAL or PROCESS_STATE_NON_FUNCTIONAL. */
    3: string state
    4: list<ConnectionInfo> connection_infos
    /** Why the process is not functional; absent when it is. */
    5: optional string description
}

/** The node's status (nodeinfo.sandesh NodeStatus), plus the agent's own facts. */
struct NodeStatus {
    /** Host name: the UVE key. */
    1: string name
    4: list<ProcessStatus> process_status
    /** Version of the agent. */
    9: string build_info
    /** Where configuration comes from (config API URL, or a file). */
    100: string config_source
    /** Revision of the link-local configuration last applied; -1 before the first. */
    101: i64 config_revision
    /** When that revision was applied (ms since epoch); 0 before the first. */
    102: i64 config_applied_ms
    /** Process start (ms since epoch) and uptime. */
    103: i64 start_time_ms
    104: i64 uptime_ms
}

/** The UVE carrying NodeStatus, as Contrail's SandeshUVECacheReq lists it. */
struct NodeStatusUVE {
    1: NodeStatus data
}

/** Closes a SandeshUVECacheReq page after the UVEs (tf-sandesh sandesh_uve.sandesh): how many. */
struct SandeshUVECacheResp {
    /** Contrail's type is u32 (the XML says so, see SandeshXml.CONTRAIL_FIELD_ATTRIBUTES). */
    1: i32 returned
    2: optional i32 period
}

// ---------------------------------------------------------------------------------------------
// The service the CLIs call
// ---------------------------------------------------------------------------------------------

/** A request named something the agent does not have (unknown interface index, VM, …). */
exception NotFound {
    1: string message
}

/** A request the agent cannot answer as given (a malformed filter, …). */
exception InvalidRequest {
    1: string message
}

service Introspect {
    /** All interfaces, ordered by index (vif --list, Snh_ItfReq). */
    ItfResp listInterfaces()

    /** One interface by index (vif --get N). */
    ItfSandeshData getInterface(1: i32 index) throws (1: NotFound notFound)

    /**
     * Flows matching the filter, ordered by index, from flow index start on, at most limit of them
     * (0 = the agent's default page); KFlowResp.flow_handle says where to continue
     * (flow -l --match, Snh_KFlowReq).
     */
    KFlowResp listFlows(1: FlowMatch match, 2: i32 start, 3: i32 limit)
        throws (1: InvalidRequest invalid)

    /** Link-local flows with their reserved sockets (Snh_FetchLinkLocalFlowInfo). */
    LinkLocalFlowInfoResp listLinkLocalFlows()

    /** Drop counters per reason (dropstats). */
    DropStatsResp dropStats()

    /** Link-local services and their fabric state (Snh_LinkLocalServiceInfo). */
    LinkLocalServiceResponse linkLocalServices()

    /** Metadata proxy counters (Snh_MetadataInfo). */
    MetadataResponse metadataInfo()

    /** The last metadata requests of a VM, by VM UUID or its metadata IP. */
    MetadataTraceResp metadataTrace(1: string vm) throws (1: NotFound notFound)

    /** Node status (Snh_SandeshUVECacheReq?x=NodeStatus, contrail-status). */
    NodeStatus nodeStatus()
}
