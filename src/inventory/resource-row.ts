import type { CloudResource } from '../cas/types';
import type { DeployedResource } from '../store/types';

/** CAS sends empty strings for fields a product does not have. */
const text = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

/** A ListCloudResources row as the bot keeps it: the one conversion, for the sync and for deployment plans. */
export function deployedResourceFromRow(row: CloudResource, account: string): DeployedResource {
  return {
    account,
    id: String(row.Id),
    certificateId: row.CertId === undefined ? undefined : String(row.CertId),
    cloud: text(row.CloudName),
    product: text(row.CloudProduct),
    region: text(row.CloudRegion) ?? text(row.RegionId),
    instanceId: text(row.InstanceId),
    listenerId: text(row.ListenerId),
    listenerPort: row.ListenerPort === undefined || row.ListenerPort === '' ? undefined : String(row.ListenerPort),
    domain: text(row.Domain),
    https: row.EnableHttps === undefined ? undefined : row.EnableHttps === 1,
  };
}
