"""Race simulation: courses, runners, Monte Carlo races, optimal pacing, tactics."""
