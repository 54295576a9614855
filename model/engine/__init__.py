"""The engine: the month's step order (`simulation.CarelinesModel.step`), counter-based random
streams, the outcomes recorded each month and the results built from them, threads and memory."""
