"""The parts of bench/bench_queue.py, split by what they do (its docstring says what it measures)."""
