"""placeholder"""
class JTT808:
    pass
