"""The zhan2021 protocol as a plain script (what `albench run examples/zhan2021-svm.toml` does).

RBF SVM (gamma="auto", C=1), batch 1 over the whole pool, 40 % stratified test split, 20
initial labels holding both classes, features standardised on the labeled set each round,
uniform and margin sampling, accuracy and macro F1 every round. Prints the wall time.

    python benchmarks/zhan2021_plain.py DATA_DIR sonar,heart,ionosphere,wdbc REPS
"""

import sys
import time

import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def run(X, y, rep, strategy):
    rng = np.random.default_rng(rep)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.4, stratify=y, random_state=rep)
    labeled = np.zeros(len(ytr), bool)
    while len(np.unique(ytr[labeled])) < 2:
        labeled[:] = False
        labeled[rng.choice(len(ytr), 20, replace=False)] = True
    curve = []
    while True:
        sc = StandardScaler().fit(Xtr[labeled])
        A, B = sc.transform(Xtr), sc.transform(Xte)
        model = SVC(kernel="rbf", gamma="auto", C=1.0).fit(A[labeled], ytr[labeled])
        pred = model.predict(B)
        curve.append((accuracy_score(yte, pred), f1_score(yte, pred, average="macro")))
        pool = np.flatnonzero(~labeled)
        if not len(pool):
            return curve
        if strategy == "uniform":
            labeled[rng.choice(pool)] = True
        else:
            labeled[pool[np.argmin(np.abs(model.decision_function(A[pool])))]] = True


if __name__ == "__main__":
    folder, names, reps = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
    t0 = time.perf_counter()
    for name in names:
        X, y = load_svmlight_file(f"{folder}/{name}-svmstyle.txt")
        X = X.toarray()
        for rep in range(reps):
            for strategy in ("uniform", "margin"):
                run(X, y, rep, strategy)
    print(f"{time.perf_counter() - t0:.2f} s")
