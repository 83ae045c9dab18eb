"""MUSAN (music, speech and noise; Snyder, Chen & Povey 2015), for noise studies."""
