"""Model work: the queue contract (hub side), the job the worker runs, delivery of answers.

Nothing here imports a model library; backends live on the worker side (`bots/backends`).
"""
