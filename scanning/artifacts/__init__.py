"""Deep mode: artifact stores. Pure modules (listing, layout, references, matching, plan) read
stores and texts; ``models`` and ``services`` keep the inventories in the database."""
