#include "jobspecschema_p.h"

namespace mesh::nomad::jobspec {

namespace {

using K = Kind;

// One row a line reads as the table it is.
// clang-format off

// Leaves first: a spec's address may be taken before it is constructed, but
// the tables are only read after static initialisation.

// api/constraint.go Constraint and api/tasks.go Affinity are decoded by
// jobspec2's own hcldec specs (jobspec2/hcl_conversions.go constraintSpec,
// affinitySpec): every argument a string (distinct_hosts a bool, weight a
// number). The reader turns them into LTarget/RTarget/Operand; the JSON
// names here are the argument names on purpose.
const StructSpec kConstraint{u"constraint", u"Constraint", {}, {
    {u"attribute", u"attribute", K::String},
    {u"value", u"value", K::String},
    {u"operator", u"operator", K::String},
    {u"distinct_property", u"distinct_property", K::String},
    {u"distinct_hosts", u"distinct_hosts", K::Bool},
    {u"regexp", u"regexp", K::String},
    {u"version", u"version", K::String},
    {u"semver", u"semver", K::String},
    {u"set_contains", u"set_contains", K::String},
    {u"set_contains_all", u"set_contains_all", K::String},
    {u"set_contains_any", u"set_contains_any", K::String},
    {u"attribute_is_set", u"attribute_is_set", K::String},
    {u"attribute_is_not_set", u"attribute_is_not_set", K::String},
}};

const StructSpec kAffinity{u"affinity", u"Affinity", {}, {
    {u"attribute", u"attribute", K::String},
    {u"value", u"value", K::String},
    {u"operator", u"operator", K::String},
    {u"weight", u"weight", K::Int},
    {u"version", u"version", K::String},
    {u"semver", u"semver", K::String},
    {u"regexp", u"regexp", K::String},
    {u"set_contains", u"set_contains", K::String},
    {u"set_contains_all", u"set_contains_all", K::String},
    {u"set_contains_any", u"set_contains_any", K::String},
}};

const StructSpec kSpreadTarget{u"target", u"SpreadTarget", u"Value", {
    {u"percent", u"Percent", K::Uint8},
}};

const StructSpec kSpread{u"spread", u"Spread", {}, {
    {u"attribute", u"Attribute", K::String},
    {u"weight", u"Weight", K::Int8},
    {u"target", u"SpreadTarget", K::BlockList, &kSpreadTarget},
}};

const StructSpec kUpdate{u"update", u"UpdateStrategy", {}, {
    {u"stagger", u"Stagger", K::Duration},
    {u"max_parallel", u"MaxParallel", K::Int},
    {u"health_check", u"HealthCheck", K::String},
    {u"min_healthy_time", u"MinHealthyTime", K::Duration},
    {u"healthy_deadline", u"HealthyDeadline", K::Duration},
    {u"progress_deadline", u"ProgressDeadline", K::Duration},
    {u"canary", u"Canary", K::Int},
    {u"auto_revert", u"AutoRevert", K::Bool},
    {u"auto_promote", u"AutoPromote", K::Bool},
}};

const StructSpec kMigrate{u"migrate", u"MigrateStrategy", {}, {
    {u"max_parallel", u"MaxParallel", K::Int},
    {u"health_check", u"HealthCheck", K::String},
    {u"min_healthy_time", u"MinHealthyTime", K::Duration},
    {u"healthy_deadline", u"HealthyDeadline", K::Duration},
}};

const StructSpec kReschedule{u"reschedule", u"ReschedulePolicy", {}, {
    {u"attempts", u"Attempts", K::Int},
    {u"interval", u"Interval", K::Duration},
    {u"delay", u"Delay", K::Duration},
    {u"delay_function", u"DelayFunction", K::String},
    {u"max_delay", u"MaxDelay", K::Duration},
    {u"unlimited", u"Unlimited", K::Bool},
}};

const StructSpec kRestart{u"restart", u"RestartPolicy", {}, {
    {u"interval", u"Interval", K::Duration},
    {u"attempts", u"Attempts", K::Int},
    {u"delay", u"Delay", K::Duration},
    {u"mode", u"Mode", K::String},
    {u"render_templates", u"RenderTemplates", K::Bool},
}};

const StructSpec kDisconnect{u"disconnect", u"DisconnectStrategy", {}, {
    {u"lost_after", u"LostAfter", K::Duration},
    {u"stop_on_client_after", u"StopOnClientAfter", K::Duration},
    {u"replace", u"Replace", K::Bool},
    {u"reconcile", u"Reconcile", K::String},
}};

const StructSpec kEphemeralDisk{u"ephemeral_disk", u"EphemeralDisk", {}, {
    {u"sticky", u"Sticky", K::Bool},
    {u"migrate", u"Migrate", K::Bool},
    {u"size", u"SizeMB", K::Int},
}};

const StructSpec kMultiregionStrategy{u"strategy", u"MultiregionStrategy", {}, {
    {u"max_parallel", u"MaxParallel", K::Int},
    {u"on_failure", u"OnFailure", K::String},
}};

const StructSpec kMultiregionRegion{u"region", u"MultiregionRegion", u"Name", {
    {u"count", u"Count", K::Int},
    {u"datacenters", u"Datacenters", K::StringList},
    {u"node_pool", u"NodePool", K::String},
    {u"meta", u"Meta", K::StringMap},
}};

const StructSpec kMultiregion{u"multiregion", u"Multiregion", {}, {
    {u"strategy", u"Strategy", K::Block, &kMultiregionStrategy},
    {u"region", u"Regions", K::BlockList, &kMultiregionRegion},
}};

// api/jobs.go PeriodicConfig: `cron` is Spec (a string), `crons` the newer
// list. SpecType is set to "cron" by jobspec2 (parse_job.go normalizeJob).
const StructSpec kPeriodic{u"periodic", u"PeriodicConfig", {}, {
    {u"enabled", u"Enabled", K::Bool},
    {u"cron", u"Spec", K::String},
    {u"crons", u"Specs", K::StringList},
    {u"prohibit_overlap", u"ProhibitOverlap", K::Bool},
    {u"time_zone", u"TimeZone", K::String},
}};

const StructSpec kParameterized{u"parameterized", u"ParameterizedJobConfig", {}, {
    {u"payload", u"Payload", K::String},
    {u"meta_required", u"MetaRequired", K::StringList},
    {u"meta_optional", u"MetaOptional", K::StringList},
}};

const StructSpec kDns{u"dns", u"DNSConfig", {}, {
    {u"servers", u"Servers", K::StringList},
    {u"searches", u"Searches", K::StringList},
    {u"options", u"Options", K::StringList},
}};

const StructSpec kCni{u"cni", u"CNIConfig", {}, {
    {u"args", u"Args", K::StringMap},
}};

// api/resources.go Port: `static` is Value.
const StructSpec kPort{u"port", u"Port", u"Label", {
    {u"static", u"Value", K::Int},
    {u"to", u"To", K::Int},
    {u"host_network", u"HostNetwork", K::String},
    {u"ignore_collision", u"IgnoreCollision", K::Bool},
}};

const StructSpec kReservedPort{u"reserved_ports", u"Port", u"Label", kPort.fields};

const StructSpec kNetwork{u"network", u"NetworkResource", {}, {
    {u"mode", u"Mode", K::String},
    {u"device", u"Device", K::String},
    {u"cidr", u"CIDR", K::String},
    {u"ip", u"IP", K::String},
    {u"hostname", u"Hostname", K::String},
    {u"mbits", u"MBits", K::Int},
    {u"dns", u"DNS", K::Block, &kDns},
    {u"reserved_ports", u"ReservedPorts", K::BlockList, &kReservedPort},
    {u"port", u"DynamicPorts", K::BlockList, &kPort},
    {u"cni", u"CNI", K::Block, &kCni},
}};

const StructSpec kNuma{u"numa", u"NUMAResource", {}, {
    {u"affinity", u"Affinity", K::String},
    {u"devices", u"Devices", K::StringList},
}};

const StructSpec kDevice{u"device", u"RequestedDevice", u"Name", {
    {u"count", u"Count", K::Uint},
    {u"constraint", u"Constraints", K::BlockList, &kConstraint},
    {u"affinity", u"Affinities", K::BlockList, &kAffinity},
}};

const StructSpec kResources{u"resources", u"Resources", {}, {
    {u"cpu", u"CPU", K::Int},
    {u"cores", u"Cores", K::Int},
    {u"memory", u"MemoryMB", K::Int},
    {u"memory_max", u"MemoryMaxMB", K::Int},
    {u"disk", u"DiskMB", K::Int},
    {u"secrets", u"SecretsMB", K::Int},
    {u"iops", u"IOPS", K::Int},
    {u"network", u"Networks", K::BlockList, &kNetwork},
    {u"device", u"Devices", K::BlockList, &kDevice},
    {u"numa", u"NUMA", K::Block, &kNuma},
}};

const StructSpec kLogs{u"logs", u"LogConfig", {}, {
    {u"max_files", u"MaxFiles", K::Int},
    {u"max_file_size", u"MaxFileSizeMB", K::Int},
    {u"enabled", u"Enabled", K::Bool},
    {u"disabled", u"Disabled", K::Bool},
}};

const StructSpec kVolumeMount{u"volume_mount", u"VolumeMount", {}, {
    {u"volume", u"Volume", K::String},
    {u"destination", u"Destination", K::String},
    {u"read_only", u"ReadOnly", K::Bool},
    {u"propagation_mode", u"PropagationMode", K::String},
    {u"selinux_label", u"SELinuxLabel", K::String},
}};

const StructSpec kMountOptions{u"mount_options", u"CSIMountOptions", {}, {
    {u"fs_type", u"FSType", K::String},
    {u"mount_flags", u"MountFlags", K::StringList},
}};

// api/tasks.go VolumeRequest: `volume "name" {}`, kept in a map by label
// and with Name = label.
const StructSpec kVolume{u"volume", u"VolumeRequest", u"Name", {
    {u"type", u"Type", K::String},
    {u"source", u"Source", K::String},
    {u"read_only", u"ReadOnly", K::Bool},
    {u"sticky", u"Sticky", K::Bool},
    {u"access_mode", u"AccessMode", K::String},
    {u"attachment_mode", u"AttachmentMode", K::String},
    {u"mount_options", u"MountOptions", K::Block, &kMountOptions},
    {u"per_alloc", u"PerAlloc", K::Bool},
}};

const StructSpec kCheckRestart{u"check_restart", u"CheckRestart", {}, {
    {u"limit", u"Limit", K::Int},
    {u"grace", u"Grace", K::Duration},
    {u"ignore_warnings", u"IgnoreWarnings", K::Bool},
}};

const StructSpec kCheck{u"check", u"ServiceCheck", {}, {
    {u"name", u"Name", K::String},
    {u"type", u"Type", K::String},
    {u"command", u"Command", K::String},
    {u"args", u"Args", K::StringList},
    {u"path", u"Path", K::String},
    {u"protocol", u"Protocol", K::String},
    {u"port", u"PortLabel", K::String},
    {u"expose", u"Expose", K::Bool},
    {u"address_mode", u"AddressMode", K::String},
    {u"advertise", u"Advertise", K::String},
    {u"interval", u"Interval", K::Duration},
    {u"timeout", u"Timeout", K::Duration},
    {u"initial_status", u"InitialStatus", K::String},
    {u"notes", u"Notes", K::String},
    {u"tls_server_name", u"TLSServerName", K::String},
    {u"tls_skip_verify", u"TLSSkipVerify", K::Bool},
    {u"header", u"Header", K::StringListMap},
    {u"method", u"Method", K::String},
    {u"check_restart", u"CheckRestart", K::Block, &kCheckRestart},
    {u"grpc_service", u"GRPCService", K::String},
    {u"grpc_use_tls", u"GRPCUseTLS", K::Bool},
    {u"task", u"TaskName", K::String},
    {u"success_before_passing", u"SuccessBeforePassing", K::Int},
    {u"failures_before_critical", u"FailuresBeforeCritical", K::Int},
    {u"failures_before_warning", u"FailuresBeforeWarning", K::Int},
    {u"body", u"Body", K::String},
    {u"on_update", u"OnUpdate", K::String},
}};

const StructSpec kExposePath{u"path", u"ConsulExposePath", {}, {
    {u"path", u"Path", K::String},
    {u"protocol", u"Protocol", K::String},
    {u"local_path_port", u"LocalPathPort", K::Int},
    {u"listener_port", u"ListenerPort", K::String},
}};

// api/consul.go ConsulExposeConfig: `path` blocks are Paths (Path is the
// deprecated JSON-only twin).
const StructSpec kExpose{u"expose", u"ConsulExposeConfig", {}, {
    {u"path", u"Paths", K::BlockList, &kExposePath},
}};

const StructSpec kMeshGateway{u"mesh_gateway", u"ConsulMeshGateway", {}, {
    {u"mode", u"Mode", K::String},
}};

const StructSpec kUpstream{u"upstreams", u"ConsulUpstream", {}, {
    {u"destination_name", u"DestinationName", K::String},
    {u"destination_namespace", u"DestinationNamespace", K::String},
    {u"destination_peer", u"DestinationPeer", K::String},
    {u"destination_partition", u"DestinationPartition", K::String},
    {u"destination_type", u"DestinationType", K::String},
    {u"local_bind_port", u"LocalBindPort", K::Int},
    {u"datacenter", u"Datacenter", K::String},
    {u"local_bind_address", u"LocalBindAddress", K::String},
    {u"local_bind_socket_path", u"LocalBindSocketPath", K::String},
    {u"local_bind_socket_mode", u"LocalBindSocketMode", K::String},
    {u"mesh_gateway", u"MeshGateway", K::Block, &kMeshGateway},
    {u"config", u"Config", K::AnyMap},
}};

const StructSpec kTransparentProxy{u"transparent_proxy", u"ConsulTransparentProxy", {}, {
    {u"uid", u"UID", K::String},
    {u"outbound_port", u"OutboundPort", K::Uint16},
    {u"exclude_inbound_ports", u"ExcludeInboundPorts", K::StringList},
    {u"exclude_outbound_ports", u"ExcludeOutboundPorts", K::Uint16List},
    {u"exclude_outbound_cidrs", u"ExcludeOutboundCIDRs", K::StringList},
    {u"exclude_uids", u"ExcludeUIDs", K::StringList},
    {u"no_dns", u"NoDNS", K::Bool},
}};

const StructSpec kProxy{u"proxy", u"ConsulProxy", {}, {
    {u"local_service_address", u"LocalServiceAddress", K::String},
    {u"local_service_port", u"LocalServicePort", K::Int},
    {u"expose", u"Expose", K::Block, &kExpose},
    {u"upstreams", u"Upstreams", K::BlockList, &kUpstream},
    {u"transparent_proxy", u"TransparentProxy", K::Block, &kTransparentProxy},
    {u"config", u"Config", K::AnyMap},
}};

const StructSpec kSidecarService{u"sidecar_service", u"ConsulSidecarService", {}, {
    {u"tags", u"Tags", K::StringList},
    {u"port", u"Port", K::String},
    {u"proxy", u"Proxy", K::Block, &kProxy},
    {u"disable_default_tcp_check", u"DisableDefaultTCPCheck", K::Bool},
    {u"meta", u"Meta", K::StringMap},
}};

const StructSpec kSidecarTask{u"sidecar_task", u"SidecarTask", {}, {
    {u"name", u"Name", K::String},
    {u"driver", u"Driver", K::String},
    {u"user", u"User", K::String},
    {u"config", u"Config", K::AnyMap},
    {u"env", u"Env", K::StringMap},
    {u"resources", u"Resources", K::Block, &kResources},
    {u"meta", u"Meta", K::StringMap},
    {u"kill_timeout", u"KillTimeout", K::Duration},
    {u"logs", u"LogConfig", K::Block, &kLogs},
    {u"shutdown_delay", u"ShutdownDelay", K::Duration},
    {u"kill_signal", u"KillSignal", K::String},
    {u"volume_mount", u"VolumeMounts", K::BlockList, &kVolumeMount},
}};

// api/consul.go ConsulGateway and the config entries it carries.
const StructSpec kGatewayBindAddress{u"envoy_gateway_bind_addresses", u"ConsulGatewayBindAddress", u"Name", {
    {u"address", u"Address", K::String},
    {u"port", u"Port", K::Int},
}};

const StructSpec kGatewayProxy{u"proxy", u"ConsulGatewayProxy", {}, {
    {u"connect_timeout", u"ConnectTimeout", K::Duration},
    {u"envoy_gateway_bind_tagged_addresses", u"EnvoyGatewayBindTaggedAddresses", K::Bool},
    {u"envoy_gateway_bind_addresses", u"EnvoyGatewayBindAddresses", K::LabelledMap, &kGatewayBindAddress},
    {u"envoy_gateway_no_default_bind", u"EnvoyGatewayNoDefaultBind", K::Bool},
    {u"envoy_dns_discovery_type", u"EnvoyDNSDiscoveryType", K::String},
    {u"config", u"Config", K::AnyMap},
}};

const StructSpec kGatewaySds{u"sds", u"ConsulGatewayTLSSDSConfig", {}, {
    {u"cluster_name", u"ClusterName", K::String},
    {u"cert_resource", u"CertResource", K::String},
}};

const StructSpec kGatewayTls{u"tls", u"ConsulGatewayTLSConfig", {}, {
    {u"enabled", u"Enabled", K::Bool},
    {u"tls_min_version", u"TLSMinVersion", K::String},
    {u"tls_max_version", u"TLSMaxVersion", K::String},
    {u"cipher_suites", u"CipherSuites", K::StringList},
    {u"sds", u"SDS", K::Block, &kGatewaySds},
}};

const StructSpec kRequestHeaders{u"request_headers", u"ConsulHTTPHeaderModifiers", {}, {
    {u"add", u"Add", K::StringMap},
    {u"set", u"Set", K::StringMap},
    {u"remove", u"Remove", K::StringList},
}};

const StructSpec kResponseHeaders{u"response_headers", u"ConsulHTTPHeaderModifiers", {}, kRequestHeaders.fields};

const StructSpec kIngressService{u"service", u"ConsulIngressService", {}, {
    {u"name", u"Name", K::String},
    {u"hosts", u"Hosts", K::StringList},
    {u"tls", u"TLS", K::Block, &kGatewayTls},
    {u"request_headers", u"RequestHeaders", K::Block, &kRequestHeaders},
    {u"response_headers", u"ResponseHeaders", K::Block, &kResponseHeaders},
    {u"max_connections", u"MaxConnections", K::Uint},
    {u"max_pending_requests", u"MaxPendingRequests", K::Uint},
    {u"max_concurrent_requests", u"MaxConcurrentRequests", K::Uint},
}};

const StructSpec kIngressListener{u"listener", u"ConsulIngressListener", {}, {
    {u"port", u"Port", K::Int},
    {u"protocol", u"Protocol", K::String},
    {u"service", u"Services", K::BlockList, &kIngressService},
}};

const StructSpec kIngress{u"ingress", u"ConsulIngressConfigEntry", {}, {
    {u"tls", u"TLS", K::Block, &kGatewayTls},
    {u"listener", u"Listeners", K::BlockList, &kIngressListener},
}};

const StructSpec kLinkedService{u"service", u"ConsulLinkedService", {}, {
    {u"name", u"Name", K::String},
    {u"ca_file", u"CAFile", K::String},
    {u"cert_file", u"CertFile", K::String},
    {u"key_file", u"KeyFile", K::String},
    {u"sni", u"SNI", K::String},
}};

const StructSpec kTerminating{u"terminating", u"ConsulTerminatingConfigEntry", {}, {
    {u"service", u"Services", K::BlockList, &kLinkedService},
}};

const StructSpec kMesh{u"mesh", u"ConsulMeshConfigEntry", {}, {}};

const StructSpec kGateway{u"gateway", u"ConsulGateway", {}, {
    {u"proxy", u"Proxy", K::Block, &kGatewayProxy},
    {u"ingress", u"Ingress", K::Block, &kIngress},
    {u"terminating", u"Terminating", K::Block, &kTerminating},
    {u"mesh", u"Mesh", K::Block, &kMesh},
}};

const StructSpec kConnect{u"connect", u"ConsulConnect", {}, {
    {u"native", u"Native", K::Bool},
    {u"gateway", u"Gateway", K::Block, &kGateway},
    {u"sidecar_service", u"SidecarService", K::Block, &kSidecarService},
    {u"sidecar_task", u"SidecarTask", K::Block, &kSidecarTask},
}};

const StructSpec kWeights{u"weights", u"ServiceWeights", {}, {
    {u"passing", u"Passing", K::Int},
    {u"warning", u"Warning", K::Int},
}};

const StructSpec kIdentity{u"identity", u"WorkloadIdentity", {}, {
    {u"name", u"Name", K::String},
    {u"aud", u"Audience", K::StringList},
    {u"change_mode", u"ChangeMode", K::String},
    {u"change_signal", u"ChangeSignal", K::String},
    {u"env", u"Env", K::Bool},
    {u"file", u"File", K::Bool},
    {u"filepath", u"Filepath", K::String},
    {u"ttl", u"TTL", K::Duration},
}};

const StructSpec kService{u"service", u"Service", {}, {
    {u"name", u"Name", K::String},
    {u"tags", u"Tags", K::StringList},
    {u"canary_tags", u"CanaryTags", K::StringList},
    {u"enable_tag_override", u"EnableTagOverride", K::Bool},
    {u"port", u"PortLabel", K::String},
    {u"address_mode", u"AddressMode", K::String},
    {u"address", u"Address", K::String},
    {u"check", u"Checks", K::BlockList, &kCheck},
    {u"check_restart", u"CheckRestart", K::Block, &kCheckRestart},
    {u"connect", u"Connect", K::Block, &kConnect},
    {u"meta", u"Meta", K::StringMap},
    {u"canary_meta", u"CanaryMeta", K::StringMap},
    {u"tagged_addresses", u"TaggedAddresses", K::StringMap},
    {u"task", u"TaskName", K::String},
    {u"on_update", u"OnUpdate", K::String},
    {u"identity", u"Identity", K::Block, &kIdentity},
    {u"weights", u"Weights", K::Block, &kWeights},
    {u"provider", u"Provider", K::String},
    {u"cluster", u"Cluster", K::String},
}};

const StructSpec kLifecycle{u"lifecycle", u"TaskLifecycle", {}, {
    {u"hook", u"Hook", K::String},
    {u"sidecar", u"Sidecar", K::Bool},
}};

const StructSpec kArtifact{u"artifact", u"TaskArtifact", {}, {
    {u"source", u"GetterSource", K::String},
    {u"options", u"GetterOptions", K::StringMap},
    {u"headers", u"GetterHeaders", K::StringMap},
    {u"mode", u"GetterMode", K::String},
    {u"insecure", u"GetterInsecure", K::Bool},
    {u"destination", u"RelativeDest", K::String},
    {u"chown", u"Chown", K::Bool},
}};

const StructSpec kVault{u"vault", u"Vault", {}, {
    {u"policies", u"Policies", K::StringList},
    {u"role", u"Role", K::String},
    {u"namespace", u"Namespace", K::String},
    {u"cluster", u"Cluster", K::String},
    {u"env", u"Env", K::Bool},
    {u"disable_file", u"DisableFile", K::Bool},
    {u"change_mode", u"ChangeMode", K::String},
    {u"change_signal", u"ChangeSignal", K::String},
    {u"allow_token_expiration", u"AllowTokenExpiration", K::Bool},
}};

const StructSpec kConsul{u"consul", u"Consul", {}, {
    {u"namespace", u"Namespace", K::String},
    {u"cluster", u"Cluster", K::String},
    {u"partition", u"Partition", K::String},
}};

// api/tasks.go ChangeScript and WaitConfig: their tags lack ",optional", so
// gohcl requires them.
const StructSpec kChangeScript{u"change_script", u"ChangeScript", {}, {
    {u"command", u"Command", K::String, nullptr, true},
    {u"args", u"Args", K::StringList},
    {u"timeout", u"Timeout", K::Duration},
    {u"fail_on_error", u"FailOnError", K::Bool, nullptr, true},
}};

const StructSpec kWait{u"wait", u"WaitConfig", {}, {
    {u"min", u"Min", K::Duration, nullptr, true},
    {u"max", u"Max", K::Duration, nullptr, true},
}};

const StructSpec kTemplate{u"template", u"Template", {}, {
    {u"source", u"SourcePath", K::String},
    {u"destination", u"DestPath", K::String},
    {u"data", u"EmbeddedTmpl", K::String},
    {u"change_mode", u"ChangeMode", K::String},
    {u"change_script", u"ChangeScript", K::Block, &kChangeScript},
    {u"change_signal", u"ChangeSignal", K::String},
    {u"splay", u"Splay", K::Duration},
    {u"perms", u"Perms", K::String},
    {u"uid", u"Uid", K::Int},
    {u"gid", u"Gid", K::Int},
    {u"left_delimiter", u"LeftDelim", K::String},
    {u"right_delimiter", u"RightDelim", K::String},
    {u"env", u"Envvars", K::Bool},
    {u"vault_grace", u"VaultGrace", K::Duration},
    {u"wait", u"Wait", K::Block, &kWait},
    {u"error_on_missing_key", u"ErrMissingKey", K::Bool},
    {u"once", u"Once", K::Bool},
}};

const StructSpec kDispatchPayload{u"dispatch_payload", u"DispatchPayloadConfig", {}, {
    {u"file", u"File", K::String},
}};

const StructSpec kCsiPlugin{u"csi_plugin", u"TaskCSIPluginConfig", {}, {
    {u"id", u"ID", K::String},
    {u"type", u"Type", K::String},
    {u"mount_dir", u"MountDir", K::String},
    {u"stage_publish_base_dir", u"StagePublishBaseDir", K::String},
    {u"health_timeout", u"HealthTimeout", K::Duration},
}};

const StructSpec kAction{u"action", u"Action", u"Name", {
    {u"command", u"Command", K::String},
    {u"args", u"Args", K::StringList},
}};

// api/scaling.go ScalingPolicy, as the group's and the task's `scaling`.
const StructSpec kScaling{u"scaling", u"ScalingPolicy", {}, {
    {u"min", u"Min", K::Int},
    {u"max", u"Max", K::Int},
    {u"policy", u"Policy", K::AnyMap},
    {u"enabled", u"Enabled", K::Bool},
    {u"type", u"Type", K::String},
}};

const StructSpec kTask{u"task", u"Task", u"Name", {
    {u"driver", u"Driver", K::String},
    {u"user", u"User", K::String},
    {u"lifecycle", u"Lifecycle", K::Block, &kLifecycle},
    {u"config", u"Config", K::AnyMap},
    {u"constraint", u"Constraints", K::BlockList, &kConstraint},
    {u"affinity", u"Affinities", K::BlockList, &kAffinity},
    {u"env", u"Env", K::StringMapOrAttribute},
    {u"service", u"Services", K::BlockList, &kService},
    {u"resources", u"Resources", K::Block, &kResources},
    {u"restart", u"RestartPolicy", K::Block, &kRestart},
    {u"meta", u"Meta", K::StringMapOrAttribute},
    {u"kill_timeout", u"KillTimeout", K::Duration},
    {u"logs", u"LogConfig", K::Block, &kLogs},
    {u"artifact", u"Artifacts", K::BlockList, &kArtifact},
    {u"vault", u"Vault", K::Block, &kVault},
    {u"consul", u"Consul", K::Block, &kConsul},
    {u"template", u"Templates", K::BlockList, &kTemplate},
    {u"dispatch_payload", u"DispatchPayload", K::Block, &kDispatchPayload},
    {u"volume_mount", u"VolumeMounts", K::BlockList, &kVolumeMount},
    {u"csi_plugin", u"CSIPluginConfig", K::Block, &kCsiPlugin},
    {u"leader", u"Leader", K::Bool},
    {u"shutdown_delay", u"ShutdownDelay", K::Duration},
    {u"kill_signal", u"KillSignal", K::String},
    {u"kind", u"Kind", K::String},
    {u"scaling", u"ScalingPolicies", K::TaskScaling, &kScaling},
    {u"identity", u"Identities", K::BlockList, &kIdentity},
    {u"action", u"Actions", K::BlockList, &kAction},
}};

// jobspec2/hcl_conversions.go decodeTaskGroup: a group's `vault` applies to
// its tasks that have none; it is no API field of the group.
const StructSpec kGroup{u"group", u"TaskGroup", u"Name", {
    {u"count", u"Count", K::Int},
    {u"constraint", u"Constraints", K::BlockList, &kConstraint},
    {u"affinity", u"Affinities", K::BlockList, &kAffinity},
    {u"task", u"Tasks", K::BlockList, &kTask},
    {u"spread", u"Spreads", K::BlockList, &kSpread},
    {u"volume", u"Volumes", K::LabelledMap, &kVolume},
    {u"restart", u"RestartPolicy", K::Block, &kRestart},
    {u"disconnect", u"Disconnect", K::Block, &kDisconnect},
    {u"reschedule", u"ReschedulePolicy", K::Block, &kReschedule},
    {u"ephemeral_disk", u"EphemeralDisk", K::Block, &kEphemeralDisk},
    {u"update", u"Update", K::Block, &kUpdate},
    {u"migrate", u"Migrate", K::Block, &kMigrate},
    {u"network", u"Networks", K::BlockList, &kNetwork},
    {u"meta", u"Meta", K::StringMapOrAttribute},
    {u"service", u"Services", K::BlockList, &kService},
    {u"shutdown_delay", u"ShutdownDelay", K::Duration},
    {u"max_run_duration", u"MaxRunDuration", K::Duration},
    {u"stop_after_client_disconnect", u"StopAfterClientDisconnect", K::Duration},
    {u"max_client_disconnect", u"MaxClientDisconnect", K::Duration},
    {u"scaling", u"Scaling", K::Block, &kScaling},
    {u"consul", u"Consul", K::Block, &kConsul},
    {u"prevent_reschedule_on_lost", u"PreventRescheduleOnLost", K::Bool},
    {u"vault", {}, K::Block, &kVault},
}};

// api/jobs.go JobUIConfig and JobUILink.
const StructSpec kUiLink{u"link", u"JobUILink", {}, {
    {u"label", u"Label", K::String},
    {u"url", u"URL", K::String},
}};

const StructSpec kUi{u"ui", u"JobUIConfig", {}, {
    {u"description", u"Description", K::String},
    {u"link", u"Links", K::BlockList, &kUiLink},
}};

// api/jobs.go Job, plus jobspec2/types.config.go decodeJob's `task` (a task
// outside any group becomes a group of its own) and `vault` (for every task
// without one).
const StructSpec kJob{u"job", u"Job", u"ID", {
    {u"region", u"Region", K::String},
    {u"namespace", u"Namespace", K::String},
    {u"id", u"ID", K::String},
    {u"name", u"Name", K::String},
    {u"type", u"Type", K::String},
    {u"priority", u"Priority", K::Int},
    {u"all_at_once", u"AllAtOnce", K::Bool},
    {u"datacenters", u"Datacenters", K::StringList},
    {u"node_pool", u"NodePool", K::String},
    {u"constraint", u"Constraints", K::BlockList, &kConstraint},
    {u"affinity", u"Affinities", K::BlockList, &kAffinity},
    {u"group", u"TaskGroups", K::BlockList, &kGroup},
    {u"update", u"Update", K::Block, &kUpdate},
    {u"multiregion", u"Multiregion", K::Block, &kMultiregion},
    {u"spread", u"Spreads", K::BlockList, &kSpread},
    {u"periodic", u"Periodic", K::Block, &kPeriodic},
    {u"parameterized", u"ParameterizedJob", K::Block, &kParameterized},
    {u"reschedule", u"Reschedule", K::Block, &kReschedule},
    {u"migrate", u"Migrate", K::Block, &kMigrate},
    {u"meta", u"Meta", K::StringMapOrAttribute},
    {u"ui", u"UI", K::Block, &kUi},
    {u"task", {}, K::BlockList, &kTask},
    {u"vault", {}, K::Block, &kVault},
}};

// clang-format on

} // namespace

const StructSpec &jobSpec()
{
    return kJob;
}

const StructSpec &constraintSpec()
{
    return kConstraint;
}

const StructSpec &affinitySpec()
{
    return kAffinity;
}

QList<const StructSpec *> allSpecs()
{
    return {&kConstraint,
            &kAffinity,
            &kSpreadTarget,
            &kSpread,
            &kUpdate,
            &kMigrate,
            &kReschedule,
            &kRestart,
            &kDisconnect,
            &kEphemeralDisk,
            &kMultiregionStrategy,
            &kMultiregionRegion,
            &kMultiregion,
            &kPeriodic,
            &kParameterized,
            &kDns,
            &kCni,
            &kPort,
            &kReservedPort,
            &kNetwork,
            &kNuma,
            &kDevice,
            &kResources,
            &kLogs,
            &kVolumeMount,
            &kMountOptions,
            &kVolume,
            &kCheckRestart,
            &kCheck,
            &kExposePath,
            &kExpose,
            &kMeshGateway,
            &kUpstream,
            &kTransparentProxy,
            &kProxy,
            &kSidecarService,
            &kSidecarTask,
            &kGatewayBindAddress,
            &kGatewayProxy,
            &kGatewaySds,
            &kGatewayTls,
            &kRequestHeaders,
            &kResponseHeaders,
            &kIngressService,
            &kIngressListener,
            &kIngress,
            &kLinkedService,
            &kTerminating,
            &kMesh,
            &kGateway,
            &kConnect,
            &kWeights,
            &kIdentity,
            &kService,
            &kLifecycle,
            &kArtifact,
            &kVault,
            &kConsul,
            &kChangeScript,
            &kWait,
            &kTemplate,
            &kDispatchPayload,
            &kCsiPlugin,
            &kAction,
            &kScaling,
            &kTask,
            &kGroup,
            &kUiLink,
            &kUi,
            &kJob};
}

} // namespace mesh::nomad::jobspec
