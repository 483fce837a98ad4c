/** The CAS simulator: a local endpoint for tests, benchmarks and the demo. */
export {
  addCertificates,
  type CertificateChanges,
  CertificateEditError,
  type CertificateInput,
  type EditOptions,
  getCertificate,
  removeCertificate,
  statusForEndDate,
  updateCertificate,
} from './certificate-edits';
export {
  accountUserId,
  type CertTimeUnit,
  CLOUD_NAMES,
  CLOUD_PRODUCTS,
  FIRST_RESOURCE_ID,
  LISTENER_PRODUCTS,
  MULTI_CLOUD_ACCOUNTS,
  type ResourceView,
} from './cloud-resources';
export {
  addResource,
  getResource,
  listResources,
  moveResource,
  removeResource,
  ResourceEditError,
  type ResourceEditOptions,
  type ResourceInput,
  resourcesOf,
} from './resource-edits';
export {
  type AssetCountBody,
  assetCounts,
  type CertSource,
  type CloudProvider,
  type CloudResource,
  currentYearFreeCertCount,
  DATA_SOURCE_IDS,
  DAY_MS,
  type DataSource,
  type Dataset,
  type DatasetOptions,
  type DatasetProfile,
  type DomainAsset,
  type Renewal,
  formatDate,
  generateDataset,
  healthScore,
  RESOURCE_GROUPS,
  type RiskCountBody,
  riskCounts,
  type SandboxCertificate,
  type SandboxCertStatus,
  type ScenarioCounts,
  setCertificateStatus,
  startOfUtcDay,
  WILL_EXPIRE_DAYS,
} from './dataset';
export {
  type ContactInput,
  DeploymentControlError,
  type DeploymentSettingsInput,
  type WorkerChanges,
} from './deployment-control';
export { connectDeployments, type DeploymentControl } from './deployment-control-client';
export {
  DEFAULT_DEPLOYMENT_SETTINGS,
  type DeploymentBook,
  type DeploymentSettings,
  deploymentsOf,
  JOB_STATUSES,
  type JobStatus,
  type SandboxContact,
  type SandboxJob,
  type SandboxWorker,
  type StartMode,
  WORKER_STATUSES,
  type WorkerStatus,
} from './deployment-jobs';
export { DEPLOYMENT_MAX_SHOW_SIZE } from './deployment-operations';
export { type AnswerError, CAS_NOT_FOUND_MESSAGE, HOST_ID } from './errors';
export {
  DEFAULT_SHOW_SIZE,
  MAX_SHOW_SIZE,
  PCA_VERSION,
  RESOURCES_DEFAULT_SHOW_SIZE,
  RESOURCES_MAX_SHOW_SIZE,
  SSL_VERSION,
} from './operations';
export {
  connectSandbox,
  type SandboxConnectOptions,
  type SandboxControl,
  type SandboxProcess,
  type SandboxProcessOptions,
  spawnSandbox,
} from './process';
export {
  type CallRecord,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  DEFAULT_ACCOUNT,
  DEFAULT_QPS,
  type FailAnswer,
  type Faults,
  type InjectedFault,
  type SandboxAccount,
  type SandboxAccountOptions,
  sandboxAccessKey,
  sandboxRoleArn,
  type SandboxStats,
} from './account';
export { CONTROL_PREFIX, type Sandbox, type SandboxAccountInfo, type SandboxOptions, startSandbox } from './server';
export {
  isRpcSigned,
  RPC_MISMATCH_PREFIX,
  RPC_SIGNATURE_METHOD,
  RPC_SIGNATURE_VERSION,
  rpcStringToSign,
  signRpc,
  verifyRpcSignature,
} from './rpc-signature';
export {
  ASSUME_ROLE_ACTION,
  MAX_DURATION_SECONDS,
  MIN_DURATION_SECONDS,
  STS_VERSION,
  stsTimestamp,
  type TemporaryKey,
} from './sts';
export { createSandboxCertificate } from './tls';
export type { ControlAnswer, ControlRequest, ControlRouteHandler } from './control-routes';
export { fingerprintsOf } from './wire/leaf';
export { type ServedView, startWireListener, WireListener, wireName } from './wire/listener';
export { SERVE_MODES, type ServeMode, type ServeSpec, type WireSpec } from './wire/resolution';
export { wireControl, type WireControl } from './wire/control';
export {
  ACS3_ALGORITHM,
  buildCanonicalRequest,
  canonicalQueryString,
  MAX_CLOCK_SKEW_MS,
  parseAuthorization,
  percentEncode,
  type ReceivedRequest,
  verifySignature,
} from './signature';
export { busiestWindow } from './rate-window';
