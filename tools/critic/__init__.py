"""The critic: adherence to the plan and quality as a melody, with feedback a composer can act on."""
