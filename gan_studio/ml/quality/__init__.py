"""Sample quality in a feature network trained on the data set itself (not Inception).

`QualityMeter` (meter.py) scores a generator; the feature networks are in networks.py, their
training and cache in features.py, and `meter_for_config` (meter_factory.py) builds a meter
for a run's data set; `class_accuracy` (class_accuracy.py) checks a conditional generator's
classes.
The statistics themselves are numpy, in `gan_studio.core.quality`.
"""

from gan_studio.ml.quality.class_accuracy import class_accuracy
from gan_studio.ml.quality.features import FeatureBudget
from gan_studio.ml.quality.meter import QualityMeter
from gan_studio.ml.quality.meter_factory import meter_for_config

__all__ = ["FeatureBudget", "QualityMeter", "class_accuracy", "meter_for_config"]
