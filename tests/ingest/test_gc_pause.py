"""A batch pauses the cyclic garbage collector and always gives it back as it found it."""
import gc
import threading

from xiezuo.ingest.batch import _NoCycleCollection


def test_collector_paused_inside_and_running_after():
    assert gc.isenabled()
    with _NoCycleCollection():
        assert not gc.isenabled()
        with _NoCycleCollection():  # a second batch at once (another thread)
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_left_off_when_it_was_off():
    gc.disable()
    try:
        with _NoCycleCollection():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_batches_in_threads_restore_it():
    inside, release = threading.Barrier(3), threading.Event()

    def batch():
        with _NoCycleCollection():
            inside.wait()
            release.wait(5)

    threads = [threading.Thread(target=batch) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    assert not gc.isenabled()
    release.set()
    for t in threads:
        t.join()
    assert gc.isenabled()


def test_an_error_inside_restores_it():
    try:
        with _NoCycleCollection():
            raise ValueError
    except ValueError:
        pass
    assert gc.isenabled()
