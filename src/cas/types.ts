import type {
  AssetCount,
  AssignCertificateCountResult,
  CertificateOrder,
  CertificateOrderPage,
  CertificateStatus,
  CloudResource,
  CloudResourcePage,
  RiskCount,
} from './schemas';

export type {
  AssetCount,
  AssignCertificateCountResult,
  CertificateOrder,
  CertificateOrderPage,
  CertificateStatus,
  CloudResource,
  CloudResourcePage,
  RiskCount,
};

/** The CAS operations as the rest of the app sees them. */
export type OrderType = 'CERT' | 'UPLOAD';
export type CertificateStatusFilter = 'ISSUED' | 'WILLEXPIRED' | 'EXPIRED';

/**
 * How soon a call is sent when calls queue for the rate limit: 'interactive' calls (a person is
 * waiting for the answer) go ahead of every queued 'bulk' call (background lists and syncs).
 * 'tracking' calls (a job following a deployment a person started) go after people's calls and
 * before bulk ones.
 */
export type CallPriority = 'interactive' | 'tracking' | 'bulk';

export interface ListFilter {
  orderType?: OrderType;
  /** Empty: the service default (ISSUED and WILLEXPIRED). */
  status?: CertificateStatusFilter;
  keyword?: string;
  /** Page size for the upstream calls (ShowSize), default 50. */
  pageSize?: number;
  /** Not a filter: the scheduling priority of the calls, default 'interactive'. */
  priority?: CallPriority;
}

/** Every operation runs at 'interactive' priority unless its arguments say otherwise (ListFilter.priority). */
export interface CasApi {
  getRiskCount(): Promise<RiskCount>;
  getAssetCount(): Promise<AssetCount>;
  /** One serial; calls arriving together are batched into one upstream request. */
  getCertificateStatus(serial: string): Promise<CertificateStatus>;
  /** One page of ListCloudResources: where certificates are deployed (1-based page). */
  listCloudResourcePage(
    page: number,
    options?: {
      pageSize?: number;
      priority?: CallPriority;
      /** Only the resources serving these certificates (CertIds, IDs as decimal digits). */
      certIds?: readonly string[];
    },
  ): Promise<CloudResourcePage>;
  /** One page of ListUserCertificateOrder (1-based page). */
  listCertificatePage(filter: ListFilter, page: number): Promise<CertificateOrderPage>;
  /** Every certificate matching the filter, all pages. */
  listCertificates(filter: ListFilter): AsyncIterable<CertificateOrder>;
  /**
   * Assigns `certTotalCount` certificates to data source `id`. The ID is an int64 in CAS, so it
   * travels as its decimal digits (e.g. '9007199254740993'): a JavaScript number would round
   * IDs above 2^53 onto another data source. Anything but 1 to 19 digits is refused unsent.
   */
  assignCertificateCount(input: { id: string; certTotalCount: number }): Promise<AssignCertificateCountResult>;
}
