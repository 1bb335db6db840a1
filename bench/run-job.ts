import { configurationNamed } from './configurations';
import { BenchFailure } from './failure';
import { JobResult, JobSpec, Measurement, Progress, unitOf } from './jobs';
import { peakRssMiB } from './measure/process-memory';
import { projectionApplyRunners } from './workloads/projection-apply';
import { runReplayOnEngine, runReplayPlain } from './workloads/replay';
import { runW1OnEngine, runW1Plain } from './workloads/w1-cart-churn';
import { runW2OnEngine, runW2Plain } from './workloads/w2-order-lifecycle';

const runBaseline = (spec: JobSpec, progress: Progress): Measurement => {
  switch (spec.workload) {
    case 'w1':
      return runW1Plain(spec.scale, progress);
    case 'w2':
    case 'w2-hot':
      return runW2Plain(spec.scale, spec.workload === 'w2-hot', progress);
    case 'replay':
      return runReplayPlain(spec.scale, progress);
    case 'projection-apply':
      throw new BenchFailure('projection apply has no plain baseline');
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
      case 'projection-apply': {
        const runner = projectionApplyRunners.find((r) => r.name === spec.projection);
        if (runner === undefined) throw new BenchFailure(`there is no projection runner ${spec.projection ?? ''}`);
        // Order lifecycles, written untimed: the events order history, logistics and analytics read.
        await runW2OnEngine(store, spec.scale, spec.writers, false, (done, total) => progress(done, total * 2));
        const applied = await runner.applyAll(store);
        return { operations: applied.events, seconds: applied.seconds, cpuSeconds: applied.cpuSeconds, latency: null, conflictRetries: null, details: { events: applied.events } };
      }
    }
  } finally {
    await store.close();
  }
};

/** Runs one measurement in this process. A rejected command or a wrong count rejects with a BenchFailure. */
export const runJob = async (spec: JobSpec, progress: Progress): Promise<JobResult> => {
  const measured = spec.subject === 'baseline' ? runBaseline(spec, progress) : await runOnEngine(spec, progress);
  return { ...measured, unit: unitOf(spec.workload), perSecond: measured.operations / measured.seconds, perCpuSecond: measured.operations / measured.cpuSeconds, peakRssMiB: peakRssMiB() };
};
