"""`hiremebahamas smoke URL`: check a deployed instance from outside, as the deployment
checklist's last step (checks.py: what anyone may read; flow.py: a member's path with throwaway
accounts, given a staff token)."""
