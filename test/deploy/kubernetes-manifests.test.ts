import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { KubernetesSchemas, type K8sObject } from './manifest-schemas.js'
import { containers, environmentOf, named, ofKind, referenceProblems } from './kubernetes-references.js'
import { renderKustomize } from './render-kustomize.js'
import { serviceMonitorProblems } from './service-monitor-schema.js'

const OVERLAYS = ['overlays/dev', 'overlays/production'] as const
const schemas = new KubernetesSchemas()
const rendered = new Map<string, K8sObject[]>()

function overlay(name: string): K8sObject[] {
  return structuredClone(rendered.get(name)!)
}

function container(objects: K8sObject[], deployment: string): any {
  const found = named(objects, 'Deployment', deployment)
  assert.ok(found, `Deployment ${deployment} is rendered`)
  return containers(found)[0]
}

before(() => {
  for (const name of OVERLAYS) rendered.set(name, renderKustomize(name))
})

for (const name of OVERLAYS) {
  describe(`deploy/kubernetes/${name}`, () => {
    it('should validate every rendered object against its Kubernetes 1.32 schema', () => {
      const objects = overlay(name)
      const unchecked = objects.filter((o) => !schemas.has(o) && o.kind !== 'ServiceMonitor').map((o) => o.kind)
      assert.deepEqual(unchecked, [], 'every kind has a schema in test/fixtures/kubernetes-schemas')
      assert.deepEqual(objects.filter((o) => schemas.has(o)).flatMap((o) => schemas.errors(o)), [])
    })

    it('should keep every cross-reference between objects intact', () => {
      assert.deepEqual(referenceProblems(overlay(name)), [])
    })

    it('should have a ServiceMonitor that selects the Plinth Services by an existing port', () => {
      const objects = overlay(name)
      assert.equal(ofKind(objects, 'ServiceMonitor').length, 1)
      assert.deepEqual(serviceMonitorProblems(objects), [])
    })

    it('should probe the server and serving on /v2/health/live and /v2/health/ready with resources set', () => {
      const objects = overlay(name)
      for (const deployment of ['plinth-server', 'plinth-serving']) {
        const c = container(objects, deployment)
        assert.equal(c.livenessProbe.httpGet.path, '/v2/health/live')
        assert.equal(c.readinessProbe.httpGet.path, '/v2/health/ready')
        assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, `${deployment} resources`)
      }
    })

    it('should run plinth worker with PLINTH_REDIS_URL and the same store settings as the server', () => {
      const objects = overlay(name)
      const worker = container(objects, 'plinth-worker')
      assert.equal(worker.args[0], 'worker')
      const env = environmentOf(objects, worker)
      assert.match(env.get('PLINTH_REDIS_URL') ?? '', /^rediss?:\/\//)
      assert.ok(env.has('PLINTH_QUEUE_SECRET_KEY'))
      const server = environmentOf(objects, container(objects, 'plinth-server'))
      assert.equal(env.get('PLINTH_ARTIFACTS_DESTINATION'), server.get('PLINTH_ARTIFACTS_DESTINATION'))
    })

    it('should give every container PLINTH_HOST=0.0.0.0 and a non-root, read-only root filesystem', () => {
      const objects = overlay(name)
      for (const deployment of ofKind(objects, 'Deployment')) {
        assert.equal(deployment.spec.template.spec.securityContext.runAsNonRoot, true)
        for (const c of containers(deployment)) {
          assert.equal(environmentOf(objects, c).get('PLINTH_HOST'), '0.0.0.0')
          assert.equal(c.securityContext.readOnlyRootFilesystem, true)
        }
      }
    })
  })
}

describe('deploy/kubernetes overlays', () => {
  it('should run one replica of each in dev, without autoscaling or a disruption budget', () => {
    const objects = overlay('overlays/dev')
    for (const d of ofKind(objects, 'Deployment')) assert.equal(d.spec.replicas, 1, d.metadata.name)
    assert.deepEqual([...ofKind(objects, 'HorizontalPodAutoscaler'), ...ofKind(objects, 'PodDisruptionBudget')], [])
  })

  it('should run three servers with --executor queue, an autoscaler and minAvailable 2 in production', () => {
    const objects = overlay('overlays/production')
    const server = named(objects, 'Deployment', 'plinth-server')!
    assert.equal(server.spec.replicas, 3)
    assert.deepEqual(containers(server)[0].args, ['server', '--executor', 'queue'])
    assert.equal(named(objects, 'PodDisruptionBudget', 'plinth-server')?.spec.minAvailable, 2)
    assert.equal(named(objects, 'HorizontalPodAutoscaler', 'plinth-server')?.spec.minReplicas, 3)
    assert.equal(environmentOf(objects, containers(server)[0]).get('PLINTH_EXECUTOR'), 'queue')
  })
})

describe('deploy manifest checks', () => {
  it('should report an unknown field as a schema error', () => {
    const deployment = named(overlay('overlays/production'), 'Deployment', 'plinth-server')!
    deployment.spec.template.spec.containers[0].livenessProbe.httpGett = {}
    assert.match(schemas.errors(deployment).join('\n'), /additional properties.*httpGett/)
  })

  it('should report a broken selector, probe port, Ingress port, HPA target and envFrom name', () => {
    const objects = overlay('overlays/production')
    named(objects, 'Service', 'plinth-serving')!.spec.selector['app.kubernetes.io/component'] = 'servng'
    container(objects, 'plinth-server').readinessProbe.httpGet.port = 'admin'
    named(objects, 'Ingress', 'plinth')!.spec.rules[0].http.paths[0].backend.service.port = { name: 'web' }
    named(objects, 'HorizontalPodAutoscaler', 'plinth-serving')!.spec.scaleTargetRef.name = 'plinth-model'
    container(objects, 'plinth-worker').envFrom[0].configMapRef.name = 'plinth-settings'
    named(objects, 'PodDisruptionBudget', 'plinth-server')!.spec.minAvailable = 3
    const problems = referenceProblems(objects).join('\n')
    for (const expected of [/Service plinth-serving: selector/, /readinessProbe port 'admin'/, /no port \{"name":"web"\}/, /'plinth-model' does not exist/, /ConfigMap 'plinth-settings' does not exist/, /minAvailable 3 leaves no pod/]) {
      assert.match(problems, expected)
    }
  })

  it('should report a ServiceMonitor whose port or selector matches nothing', () => {
    const objects = overlay('overlays/dev')
    const monitor = ofKind(objects, 'ServiceMonitor')[0]!
    monitor.spec.endpoints[0].port = 'metrics'
    assert.match(serviceMonitorProblems(objects).join('\n'), /has no port named 'metrics'/)
    monitor.spec.selector.matchLabels = { app: 'other' }
    assert.match(serviceMonitorProblems(objects).join('\n'), /selects|matches no Service/)
    monitor.apiVersion = 'monitoring.coreos.com/v2'
    assert.match(serviceMonitorProblems(objects).join('\n'), /apiVersion/)
  })
})
