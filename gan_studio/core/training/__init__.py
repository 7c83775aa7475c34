"""What a training run reports and how it is driven, without Qt or TensorFlow: the records it
sends (`progress`) and the kinds of its events (`events`), the callbacks that receive them
(`callbacks`), the flags that steer it (`control`), its clock (`meter`, `throttle`) and the
states a session shows (`state`)."""
