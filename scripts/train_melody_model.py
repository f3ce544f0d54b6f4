"""Train the melody model (the same as `tunesmith train`; options: --help). Seeded and reproducible;
writes tools/melody_model/weights/model.pt and its SHA-256; --calibrate then writes calibration.json."""

from tunesmith.tools.melody_model.training import main

if __name__ == "__main__":
    main()
