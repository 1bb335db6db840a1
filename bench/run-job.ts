import { configurationNamed } from './configurations';
import { runReplayRawClient, runW1RawClient } from './eventstoredb/raw-client-baseline';
import { BenchFailure } from './failure';
import { JobResult, JobSpec, Measurement, Progress, unitOf } from './jobs';
import { collectGarbage, peakRssMiB } from './measure/process-memory';
import { runGuaranteeCosts } from './workloads/guarantee-costs';
import { projectionApplyRunners } from './workloads/projection-apply';
import { runReplayOnEngine, runReplayPlain } from './workloads/replay';
import { runW1OnEngine, runW1Plain } from './workloads/w1-cart-churn';
import { runW2OnEngine, runW2Plain } from './workloads/w2-order-lifecycle';

const runRawEventStoreDbClient = (spec: JobSpec, progress: Progress): Promise<Measurement> => {
  switch (spec.workload) {
    case 'w1':
      return runW1RawClient(spec.scale, spec.writers, progress);
    case 'replay':
      return runReplayRawClient(spec.scale, spec.writers, progress);
    default:
      throw new BenchFailure(`${spec.workload} has no raw EventStoreDB client baseline`);
  }
};

const runBaseline = async (spec: JobSpec, progress: Progress): Promise<Measurement> => {
  if (configurationNamed(spec.configuration)?.baseline === 'raw-esdb-client') return runRawEventStoreDbClient(spec, progress);
  switch (spec.workload) {
    case 'w1':
      return runW1Plain(spec.scale, progress);
    case 'w2':
    case 'w2-hot':
      return runW2Plain(spec.scale, spec.workload === 'w2-hot', progress);
    case 'replay':
      return runReplayPlain(spec.scale, progress);
    case 'projection-apply':
    case 'guarantees':
      throw new BenchFailure(`${spec.workload} has no plain baseline`);
  }
};

const runOnEngine = async (spec: JobSpec, progress: Progress): Promise<Measurement> => {
  const configuration = configurationNamed(spec.configuration);
  if (configuration === undefined) throw new BenchFailure(`there is no configuration ${spec.configuration}`);
  const store = await configuration.openStore();
  try {
    switch (spec.workload) {
      case 'w1':
        return await runW1OnEngine(store, spec.scale, spec.writers, progress);
      case 'w2':
      case 'w2-hot':
        return await runW2OnEngine(store, spec.scale, spec.writers, spec.workload === 'w2-hot', progress);
      case 'replay':
        return await runReplayOnEngine(store, spec.scale, spec.writers, progress);
      case 'guarantees':
        return await runGuaranteeCosts(store, spec.scale, progress);
      case 'projection-apply': {
        const runner = projectionApplyRunners.find((r) => r.name === spec.projection);
        if (runner === undefined) throw new BenchFailure(`there is no projection runner ${spec.projection ?? ''}`);
        await runW1OnEngine(store, spec.scale, spec.writers, (done, total) => progress(done, total * 2));
        collectGarbage();
        const applied = await runner.applyAll(store);
        return { operations: applied.events, seconds: applied.seconds, cpuSeconds: applied.cpuSeconds, latency: null, conflictRetries: null, details: {} };
      }
    }
  } finally {
    await store.close();
  }
};

/** Runs one measurement in this process. A rejected command or a wrong count rejects with a BenchFailure. */
export const runJob = async (spec: JobSpec, progress: Progress): Promise<JobResult> => {
  const measured = spec.subject === 'baseline' ? await runBaseline(spec, progress) : await runOnEngine(spec, progress);
  return { ...measured, unit: unitOf(spec.workload), perSecond: measured.operations / measured.seconds, perCpuSecond: measured.operations / measured.cpuSeconds, peakRssMiB: peakRssMiB() };
};
