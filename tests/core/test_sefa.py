"""SeFa's closed-form directions: the eigenvectors of AᵀA, strongest first, orthonormal."""

import numpy as np
import pytest
from helpers import tiny_conditional_generator, tiny_generator

from gan_studio.core.latent.directions import SEFA, apply_directions
from gan_studio.core.latent.sefa import closed_form_directions


def test_they_are_the_eigenvectors_of_a_transpose_a_by_decreasing_eigenvalue():
    rng = np.random.default_rng(3)
    kernel = rng.standard_normal((10, 40)) * np.linspace(3, 0.5, 10)[:, None]
    found = closed_form_directions(kernel, 6)
    assert found.method == SEFA and found.vectors.shape == (6, 10)
    np.testing.assert_allclose(found.vectors @ found.vectors.T, np.eye(6), atol=1e-6)
    eigenvalues, eigenvectors = np.linalg.eigh(kernel @ kernel.T)
    expected = eigenvectors[:, ::-1][:, :6].T
    np.testing.assert_allclose(np.abs(np.sum(found.vectors * expected, axis=1)), 1, atol=1e-5)
    np.testing.assert_allclose(found.explained_ratio,
                               eigenvalues[::-1][:6] / eigenvalues.sum(), rtol=1e-5)
    assert np.all(np.diff(found.explained_ratio) <= 0)
    np.testing.assert_array_equal(found.sigmas, np.ones(6, np.float32))
    largest = found.vectors[np.arange(6), np.argmax(np.abs(found.vectors), axis=1)]
    assert np.all(largest > 0)  # a reproducible sign


def test_a_planted_strongest_direction_comes_first():
    rng = np.random.default_rng(0)
    planted = rng.standard_normal(8)
    planted /= np.linalg.norm(planted)
    kernel = 0.1 * rng.standard_normal((8, 30)) + 5 * np.outer(planted, rng.standard_normal(30))
    first = closed_form_directions(kernel, 1).vectors[0]
    assert abs(float(first @ planted)) > 0.99
    assert closed_form_directions(kernel, 1).explained_ratio[0] > 0.9


def test_moving_along_the_first_changes_the_first_layer_most():
    generator = tiny_generator(latent=8)
    kernel = generator.latent_kernel
    found = closed_form_directions(kernel, 8)
    z = np.zeros(8, np.float32)
    moved = apply_directions(z, found, [1.0])
    strongest = np.linalg.norm(moved @ kernel)
    rng = np.random.default_rng(1)
    for direction in rng.standard_normal((50, 8)):
        assert strongest >= np.linalg.norm(direction / np.linalg.norm(direction) @ kernel) - 1e-5


def test_a_conditional_generator_s_directions_use_its_rows_for_z_alone():
    generator = tiny_conditional_generator(latent=8, classes=3, embedding=4)
    assert generator.latent_kernel.shape == (8, 32)
    assert closed_form_directions(generator.latent_kernel, 5).vectors.shape == (5, 8)


@pytest.mark.parametrize("kernel, k", [(np.ones((4, 6)), 0), (np.ones((4, 6)), 5),
                                       (np.ones((4, 2)), 3), (np.ones(4), 1),
                                       (np.full((4, 6), np.nan), 2)])
def test_bad_kernels_and_counts_are_refused(kernel, k):
    with pytest.raises(ValueError):
        closed_form_directions(kernel, k)
