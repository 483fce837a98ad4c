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
export { type AnswerError, CAS_NOT_FOUND_MESSAGE, HOST_ID } from './errors';
export { DEFAULT_SHOW_SIZE, MAX_SHOW_SIZE, PCA_VERSION, SSL_VERSION } from './operations';
export { type SandboxProcess, type SandboxProcessOptions, spawnSandbox } from './process';
export {
  type CallRecord,
  CONTROL_PREFIX,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  DEFAULT_QPS,
  type FailAnswer,
  type Faults,
  type InjectedFault,
  type Sandbox,
  type SandboxOptions,
  type SandboxStats,
  startSandbox,
} from './server';
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
