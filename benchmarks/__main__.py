"""Run every benchmark: ``python -m benchmarks`` (``make bench``)."""

from benchmarks import bench_class, bench_hostile, bench_rerun, bench_solvers

if __name__ == "__main__":
    print("regviz benchmarks: medians of interleaved repeats, ratios measured in this run")
    bench_solvers.main()
    bench_rerun.main([])
    bench_class.main([])
    bench_hostile.main([])
