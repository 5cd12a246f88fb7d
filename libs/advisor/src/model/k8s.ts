// The subset of Kubernetes object shapes the advisor reads. Objects come from YAML uploads
// or the API server, so every field is optional and rules must tolerate its absence.

export type Labels = Record<string, string>;

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Labels;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ kind?: string; name?: string; uid?: string; controller?: boolean }>;
  uid?: string;
  deletionTimestamp?: string;
}

export interface LabelSelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

export type IntOrString = number | string;

export interface ContainerPort {
  name?: string;
  containerPort?: number;
  hostPort?: number;
  protocol?: string;
}

export interface ExecAction {
  command?: string[];
}

export interface HttpGetAction {
  path?: string;
  port?: IntOrString;
  host?: string;
  scheme?: string;
}

export interface TcpSocketAction {
  port?: IntOrString;
}

export interface GrpcAction {
  port?: number;
  service?: string;
}

export interface Probe {
  exec?: ExecAction;
  httpGet?: HttpGetAction;
  tcpSocket?: TcpSocketAction;
  grpc?: GrpcAction;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

export interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: HttpGetAction;
  tcpSocket?: TcpSocketAction;
  sleep?: { seconds?: number };
}

export interface Container {
  name?: string;
  image?: string;
  ports?: ContainerPort[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: LifecycleHandler; postStart?: LifecycleHandler };
  /** `Always` on an init container makes it a native sidecar (Kubernetes 1.29+): it runs beside the app. */
  restartPolicy?: string;
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  topologyKey?: string;
  namespaces?: string[];
  namespaceSelector?: LabelSelector;
}

export interface Affinity {
  podAntiAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
    preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight?: number; podAffinityTerm?: PodAffinityTerm }>;
  };
  nodeAffinity?: unknown;
}

export interface TopologySpreadConstraint {
  maxSkew?: number;
  topologyKey?: string;
  whenUnsatisfiable?: string;
  labelSelector?: LabelSelector;
  matchLabelKeys?: string[];
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  affinity?: Affinity;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  nodeName?: string;
  nodeSelector?: Labels;
  hostNetwork?: boolean;
  volumes?: Array<{ name?: string; persistentVolumeClaim?: { claimName?: string } }>;
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

export interface ContainerStatus {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  lastState?: { terminated?: { exitCode?: number; reason?: string; finishedAt?: string } };
}

export interface PodStatus {
  phase?: string;
  conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string; lastTransitionTime?: string }>;
  containerStatuses?: ContainerStatus[];
  podIP?: string;
}

export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface Pod extends K8sObject {
  spec?: PodSpec;
  status?: PodStatus;
}

export interface RollingUpdate {
  maxSurge?: IntOrString;
  maxUnavailable?: IntOrString;
}

export interface Deployment extends K8sObject {
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    strategy?: { type?: string; rollingUpdate?: RollingUpdate };
    minReadySeconds?: number;
  };
}

export interface StatefulSet extends K8sObject {
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: IntOrString; partition?: number } };
    minReadySeconds?: number;
  };
}

export interface DaemonSet extends K8sObject {
  spec?: {
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    updateStrategy?: { type?: string; rollingUpdate?: RollingUpdate };
    minReadySeconds?: number;
  };
}

export interface ReplicaSet extends K8sObject {
  spec?: { replicas?: number; selector?: LabelSelector; template?: PodTemplateSpec };
}

export interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: IntOrString;
  nodePort?: number;
  protocol?: string;
}

export interface Service extends K8sObject {
  spec?: {
    type?: string;
    selector?: Labels;
    ports?: ServicePort[];
    clusterIP?: string;
    externalTrafficPolicy?: string;
    loadBalancerClass?: string;
  };
}

export interface EndpointSliceEndpoint {
  addresses?: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  nodeName?: string;
  targetRef?: { kind?: string; name?: string; namespace?: string };
}

export interface EndpointSlice extends K8sObject {
  addressType?: string;
  endpoints?: EndpointSliceEndpoint[];
  ports?: Array<{ name?: string; port?: number; protocol?: string }>;
}

export interface EndpointAddress {
  ip?: string;
  nodeName?: string;
  targetRef?: { kind?: string; name?: string };
}

export interface Endpoints extends K8sObject {
  subsets?: Array<{ addresses?: EndpointAddress[]; notReadyAddresses?: EndpointAddress[] }>;
}

export interface PodDisruptionBudget extends K8sObject {
  spec?: { minAvailable?: IntOrString; maxUnavailable?: IntOrString; selector?: LabelSelector };
}

export interface HorizontalPodAutoscaler extends K8sObject {
  spec?: {
    scaleTargetRef?: { kind?: string; name?: string; apiVersion?: string };
    minReplicas?: number;
    maxReplicas?: number;
  };
}

export interface Node extends K8sObject {
  spec?: { providerID?: string; unschedulable?: boolean; taints?: Array<{ key?: string; effect?: string }> };
  status?: {
    conditions?: Array<{ type?: string; status?: string }>;
    nodeInfo?: { kubeletVersion?: string };
  };
}

/** A Namespace: its labels decide webhook injection (AWS `elbv2.k8s.aws/pod-readiness-gate-inject`). */
export interface Namespace extends K8sObject {
  spec?: Record<string, unknown>;
}

export interface MutatingWebhook {
  name?: string;
  failurePolicy?: string;
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

/** admissionregistration.k8s.io/v1 (the AWS Load Balancer Controller's pod mutator). */
export interface MutatingWebhookConfiguration extends K8sObject {
  webhooks?: MutatingWebhook[];
}
