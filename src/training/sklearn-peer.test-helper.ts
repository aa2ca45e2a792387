import { spawnSync } from 'node:child_process'
import type { TrainResult } from './train-model.js'

/**
 * Runs scikit-learn (PLINTH_PYTHON) on the same CSV and the same split as a Plinth training run,
 * with the estimator matching `--model`: a StandardScaler + LogisticRegression pipeline (Plinth
 * standardizes inside the model, so its L2 penalty acts on standardized weights too),
 * LinearRegression, or GradientBoosting(Classifier|Regressor).
 */
const SCRIPT = `
import json, sys, time
import numpy as np
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor, HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import accuracy_score, r2_score
job = json.load(sys.stdin)
data = np.loadtxt(job['csv'], delimiter=',', skiprows=1)
X, y = data[:, :-1], data[:, -1]
train, test = np.array(job['train']), np.array(job['test'])
p, model, classification = job['params'], job['model'], job['task'] == 'classification'
if model == 'logistic':
    est = make_pipeline(StandardScaler(), LogisticRegression(C=1.0 / p['l2'], max_iter=p['max_iter']))
elif model == 'linear':
    est = LinearRegression()
elif model == 'hist':
    cls = HistGradientBoostingClassifier if classification else HistGradientBoostingRegressor
    est = cls(max_iter=p['trees'], max_depth=p['depth'], learning_rate=p['learning_rate'], min_samples_leaf=p['min_samples_leaf'], early_stopping=False)
else:
    cls = GradientBoostingClassifier if classification else GradientBoostingRegressor
    est = cls(n_estimators=p['trees'], max_depth=p['depth'], learning_rate=p['learning_rate'], min_samples_leaf=p['min_samples_leaf'], random_state=0)
started = time.perf_counter()
est.fit(X[train], y[train])
seconds = time.perf_counter() - started
pred = est.predict(X[test])
score = accuracy_score(y[test], pred) if classification else r2_score(y[test], pred)
json.dump({'score': score, 'seconds': seconds}, sys.stdout)
`

export interface PeerResult {
  /** Holdout accuracy (classification) or R² (regression). */
  score: number
  /** Fit time only, as Plinth's trainSeconds. */
  seconds: number
}

/** `hist` runs HistGradientBoosting with the gbt hyper-parameters (a faster peer for benchmarks). */
export function runSklearnPeer(python: string, csv: string, result: TrainResult, model: string = result.modelKind): PeerResult {
  const params = Object.fromEntries(Object.entries(result.params).map(([k, v]) => [k, Number(v)]))
  const job = { csv, train: [...result.split.train], test: [...result.split.test], task: result.task, model, params }
  const run = spawnSync(python, ['-c', SCRIPT], { input: JSON.stringify(job), encoding: 'utf8', maxBuffer: 1 << 26 })
  if (run.status !== 0) throw new Error(`scikit-learn failed: ${run.stderr}`)
  return JSON.parse(run.stdout) as PeerResult
}

/** Why the peer cannot run, or undefined when it can. */
export function sklearnSkipReason(python: string | undefined): string | undefined {
  if (!python) return 'PLINTH_PYTHON is not set (an interpreter with scikit-learn, e.g. /usr/bin/python3 with python3-sklearn)'
  const probe = spawnSync(python, ['-c', 'import sklearn, numpy'], { encoding: 'utf8' })
  return probe.status === 0 ? undefined : `'${python}' cannot import sklearn and numpy; set PLINTH_PYTHON to an interpreter that can`
}
