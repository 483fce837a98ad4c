import fs from 'node:fs';
import path from 'node:path';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import YAML from 'yaml';
import { configSchema, loadConfig } from '../../src/config';
import { HEALTH_PATH, READY_PATH } from '../../src/ops/routes';
import { SHUTDOWN_DRAIN_MS } from '../../src/services';
import { ROOT, runtimeEnv, runtimeInstruction } from '../helpers/dockerfile';
import { kustomize, type Manifest, readManifests } from '../helpers/kustomize';

/**
 * deploy/kubernetes, rendered as kustomize renders it (test/helpers/kustomize.ts), every object
 * validated against the Kubernetes schemas (kubernetes-models, and the Prometheus Operator's
 * for the PodMonitor), and the Deployment checked against what the image and the bot really
 * do: its user, port, probes, writable paths and shutdown time.
 */
const KIT = path.join(ROOT, 'deploy', 'kubernetes');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
};

function validate(object: Manifest): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`${object.apiVersion} ${object.kind} has no schema here`);
  new Model(object as never).validate();
}

const base = kustomize(path.join(KIT, 'base'));
const replicas = kustomize(path.join(KIT, 'overlays', 'replicas'));
const examples = ['base/secret.example.yaml', 'overlays/replicas/secret.example.yaml', 'monitoring/podmonitor.yaml'];

function one<T = Manifest>(objects: Manifest[], kind: string): T {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as T;
}
const deploymentOf = (objects: Manifest[]) => one<IDeployment>(objects, 'Deployment');
const containerOf = (objects: Manifest[]) => deploymentOf(objects).spec!.template.spec!.containers[0];

test.each([
  ['base', base],
  ['overlays/replicas', replicas],
  ['examples', examples.flatMap((file) => readManifests(path.join(KIT, file)))],
])('every object of %s is valid against the Kubernetes schemas', (_name, objects) => {
  expect(objects.length).toBeGreaterThan(0);
  for (const object of objects) expect(() => validate(object)).not.toThrow();
});

test('the schemas catch a wrong manifest', () => {
  const broken = structuredClone(base.find((o) => o.kind === 'Deployment')!) as unknown as IDeployment;
  (broken.spec!.template.spec!.containers[0].ports![0] as { containerPort: unknown }).containerPort = 'http';
  expect(() => validate(broken as unknown as Manifest)).toThrow(/containerPort must be integer/);
});

test.each([
  ['base', base],
  ['overlays/replicas', replicas],
])('%s: the pod runs as the image user, non-root, read-only, unprivileged', (_name, objects) => {
  const [uid, gid] = (runtimeInstruction('USER') ?? '').split(':').map(Number);
  const pod = deploymentOf(objects).spec!.template.spec!;
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, fsGroup: gid });
  expect(containerOf(objects).securityContext).toEqual({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  });
  // A read-only root: /tmp is a volume (temporary files, a chart written with --chart).
  const tmp = containerOf(objects).volumeMounts?.find((m) => m.mountPath === '/tmp');
  expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
  expect(containerOf(objects).resources?.limits?.memory).toBeDefined();
  expect(containerOf(objects).resources?.requests).toMatchObject({
    cpu: expect.any(String),
    memory: expect.any(String),
  });
});

test.each([
  ['base', base],
  ['overlays/replicas', replicas],
])("%s: port, probes and image are the image's and the bot's", (_name, objects) => {
  const container = containerOf(objects);
  const port = Number(runtimeInstruction('EXPOSE'));
  expect(port).toBe(configSchema.shape.PORT.parse(undefined));
  expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
  expect(container.livenessProbe?.httpGet).toEqual({ path: HEALTH_PATH, port: 'http' });
  expect(container.startupProbe?.httpGet).toEqual({ path: HEALTH_PATH, port: 'http' });
  expect(container.readinessProbe?.httpGet).toEqual({ path: READY_PATH, port: 'http' });
  expect(container.image).toBe(`registry.example.com/cas-cert-bot:${VERSION}`);
  // The Service and the Ingress reach that port by name; the PodMonitor scrapes it.
  const service = one(objects, 'Service') as unknown as {
    spec: { ports: Array<{ targetPort: string }>; selector: object };
  };
  expect(service.spec.ports[0].targetPort).toBe('http');
  expect(deploymentOf(objects).spec!.template.metadata!.labels).toMatchObject(service.spec.selector);
  const monitor = readManifests(path.join(KIT, 'monitoring', 'podmonitor.yaml'))[0] as unknown as {
    spec: { selector: { matchLabels: object }; podMetricsEndpoints: Array<{ port: string; path: string }> };
  };
  expect(deploymentOf(objects).spec!.template.metadata!.labels).toMatchObject(monitor.spec.selector.matchLabels);
  expect(monitor.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
});

test.each([
  ['base', base],
  ['overlays/replicas', replicas],
])('%s: the grace period covers the bot drain of answers in flight and of a running job', (_name, objects) => {
  const grace = deploymentOf(objects).spec!.template.spec!.terminationGracePeriodSeconds ?? 30;
  expect(grace * 1000).toBeGreaterThanOrEqual(2 * SHUTDOWN_DRAIN_MS + 5_000);
});

test('the base is one replica on SQLite: the volume at DATA_DIR, recreated, not rolled', () => {
  const deployment = deploymentOf(base);
  expect(deployment.spec!.replicas).toBe(1);
  expect(deployment.spec!.strategy).toEqual({ type: 'Recreate' });
  const claim = one(base, 'PersistentVolumeClaim');
  const data = deployment.spec!.template.spec!.volumes?.find(
    (v) => v.persistentVolumeClaim?.claimName === claim.metadata.name,
  );
  expect(containerOf(base).volumeMounts?.find((m) => m.name === data?.name)?.mountPath).toBe(runtimeEnv().DATA_DIR);
});

test('the replicas overlay runs several pods on PostgreSQL and Redis, without the SQLite volume', () => {
  const deployment = deploymentOf(replicas);
  expect(deployment.spec!.replicas).toBeGreaterThan(1);
  expect(deployment.spec!.strategy?.type).toBe('RollingUpdate');
  expect(replicas.filter((o) => o.kind === 'PersistentVolumeClaim')).toEqual([]);
  expect(JSON.stringify(deployment)).not.toContain('persistentVolumeClaim');
  expect(one(replicas, 'PodDisruptionBudget')).toBeDefined();
  const secret = readManifests(path.join(KIT, 'overlays', 'replicas', 'secret.example.yaml'))[0] as unknown as {
    stringData: Record<string, string>;
  };
  expect(Object.keys(secret.stringData)).toEqual(expect.arrayContaining(['REDIS_URL', 'DATABASE_URL']));
});

test.each([
  ['base', 'base/secret.example.yaml'],
  ['overlays/replicas', 'overlays/replicas/secret.example.yaml'],
])('%s: the ConfigMap and the example Secret are a valid configuration that leaves the image its own', (dir, file) => {
  const objects = dir === 'base' ? base : replicas;
  const configMap = one(objects, 'ConfigMap') as unknown as { data: Record<string, string> };
  const secret = readManifests(path.join(KIT, file))[0] as unknown as Manifest & { stringData: Record<string, string> };
  const variables = { ...configMap.data, ...secret.stringData };
  for (const name of Object.keys(variables)) expect(Object.keys(configSchema.shape)).toContain(name);
  for (const owned of Object.keys(runtimeEnv())) expect(Object.keys(variables)).not.toContain(owned);
  expect(() => loadConfig(variables, ['slack'])).not.toThrow();
  // The Deployment reads both by name.
  expect(containerOf(objects).envFrom).toEqual([
    { configMapRef: { name: (configMap as unknown as Manifest).metadata.name } },
    { secretRef: { name: secret.metadata.name } },
  ]);
});

test('the kustomizations never apply the example secrets', () => {
  for (const dir of ['base', 'overlays/replicas']) {
    const spec = YAML.parse(fs.readFileSync(path.join(KIT, dir, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    expect(spec.resources.filter((r) => r.includes('secret'))).toEqual([]);
  }
  expect([...base, ...replicas].filter((o) => o.kind === 'Secret')).toEqual([]);
});

test("the plain Prometheus scrape job keeps exactly the bot's pods and port, and loads the shipped rules", () => {
  const config = YAML.parse(fs.readFileSync(path.join(KIT, 'monitoring', 'prometheus-scrape.yml'), 'utf8')) as {
    rule_files: string[];
    scrape_configs: Array<{
      metrics_path: string;
      relabel_configs: Array<{ source_labels?: string[]; regex?: string; action?: string }>;
    }>;
  };
  expect(config.rule_files).toEqual(['cert-bot-alerts.yml']);
  expect(fs.existsSync(path.join(ROOT, 'ops', 'prometheus', config.rule_files[0]))).toBe(true);
  const job = config.scrape_configs[0];
  expect(job.metrics_path).toBe('/metrics');
  const labels = deploymentOf(base).spec!.template.metadata!.labels ?? {};
  const portName = containerOf(base).ports?.[0].name;
  // Prometheus turns a pod label's name into __meta_kubernetes_pod_label_<name with _ for . / ->.
  const meta = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
  const keeps = job.relabel_configs.filter((r) => r.action === 'keep');
  expect(keeps).toEqual([
    { source_labels: [meta('app.kubernetes.io/name')], regex: labels['app.kubernetes.io/name'], action: 'keep' },
    { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: portName, action: 'keep' },
  ]);
});
