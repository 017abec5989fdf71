"""The bare scikit-learn loop `albench bench` compares `run_cell` against (albench.bench.loop).

digits, logistic regression, entropy, 30 rounds of 10 after 20 initial labels, accuracy only.
Prints the wall time of REPS runs.

    python benchmarks/bare_loop.py [REPS]
"""

import sys
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = load_digits(return_X_y=True)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
sc = StandardScaler().fit(Xtr)
Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
initial = np.random.default_rng(0).choice(len(ytr), 20, replace=False)


def loop(rounds=30, batch=10):
    labeled = np.zeros(len(ytr), bool)
    labeled[initial] = True
    accuracies = []
    for rnd in range(rounds + 1):
        model = LogisticRegression(max_iter=1000, random_state=0).fit(Xtr[labeled], ytr[labeled])
        accuracies.append(accuracy_score(yte, model.predict(Xte)))
        if rnd < rounds:
            pool = np.flatnonzero(~labeled)
            P = model.predict_proba(Xtr[pool])
            entropy = -(P * np.log(np.clip(P, 1e-300, None))).sum(axis=1)
            labeled[pool[np.argpartition(-entropy, batch - 1)[:batch]]] = True
    return accuracies


if __name__ == "__main__":
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    t0 = time.perf_counter()
    for _ in range(reps):
        loop()
    print(f"{time.perf_counter() - t0:.2f} s for {reps} runs")
