"""The run's log line names the levers a recipe turns on, and the dropout the seed's had."""

from gan_studio.core.config import TrainConfig
from gan_studio.core.recipe import describe_recipe


def test_the_recipe_line_names_the_discriminators_dropout_when_it_is_not_the_seeds():
    studio = describe_recipe(TrainConfig(dataset="mnist").resolved(), augmenting=False)
    assert studio == ("bce loss, no D dropout, 4x4 generator kernels, 3x3 in G's stride-1 layers, "
                      "relu in G, weight average 0.999")
    tutorial = describe_recipe(TrainConfig(dataset="mnist", preset="tutorial").resolved(), False)
    assert tutorial == "bce loss"  # the seed's recipe: dropout 0.3 goes unsaid
    half = TrainConfig(dataset="mnist", preset="tutorial", d_dropout=0.5).resolved()
    assert "D dropout 0.5" in describe_recipe(half, False)


def test_the_recipe_line_names_the_generators_activation_and_stride_1_kernel():
    config = TrainConfig(dataset="mnist", preset="paper", g_activation="relu",
                         g_stride1_kernel=4).resolved()
    assert describe_recipe(config, False) == "bce loss, 4x4 in G's stride-1 layers, relu in G"
