"""Built-in skills, one module per family. A bot definition lists the modules it uses."""
