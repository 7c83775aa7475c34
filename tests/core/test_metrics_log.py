import dataclasses

from gan_studio.core.runs.metrics_log import METRIC_FIELDS, MetricsLog, read_metrics
from gan_studio.core.training.progress import StepMetrics


def test_step_metrics_fields_are_the_csv_columns():
    assert tuple(f.name for f in dataclasses.fields(StepMetrics)) == METRIC_FIELDS


def test_rows_are_written_in_the_established_format(tmp_path):
    log = MetricsLog(str(tmp_path))
    log.append([StepMetrics(1, 0, 0.6931471805599453, 1.3862943611198906, 0.5, 0.25, 1700000000.1234),
                StepMetrics(2, 0, 1e-8, 12345678.9, 1.0, 0.0, 1700000000.5)])
    log.close()
    text = (tmp_path / "metrics.csv").read_bytes()
    assert text == (b"step,epoch,g_loss,d_loss,d_real,d_fake,time\r\n"
                    b"1,0,0.6931472,1.386294,0.5,0.25,1700000000.123\r\n"
                    b"2,0,1e-08,1.234568e+07,1,0,1700000000.500\r\n")
    assert list(read_metrics(str(tmp_path))["step"]) == [1, 2]


def test_resuming_drops_the_rows_after_the_checkpoint(tmp_path):
    log = MetricsLog(str(tmp_path))
    log.append([StepMetrics(s, 0, 1.0, 2.0, 0.5, 0.5, 100.0 + s) for s in range(1, 5)])
    log.close()
    MetricsLog(str(tmp_path), resume_step=2).close()
    assert list(read_metrics(str(tmp_path))["step"]) == [1, 2]


def test_damaged_bytes_lose_their_rows_not_the_file(tmp_path):
    log = MetricsLog(str(tmp_path))
    log.append([StepMetrics(s, 0, 1.0, 2.0, 0.5, 0.5, 100.0 + s) for s in range(1, 4)])
    log.close()
    with open(tmp_path / "metrics.csv", "ab") as f:
        f.write(b"4,0,\xff\xfe\x00garbage,2,0.5,0.5,104\r\n\x80\x81\x82\r\n5,0,1,2,0.5,0.5,105\r\n")
    assert list(read_metrics(str(tmp_path))["step"]) == [1, 2, 3, 5]
    (tmp_path / "metrics.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    assert len(read_metrics(str(tmp_path))["step"]) == 0
